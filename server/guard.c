/*
 * SharedRegion server: copying to and from mapped memory without risking the host process.
 *
 * A view of a file can fault when one of its pages is read in or written back: another program
 * truncated the file under the mapping, a network share went away, the disk failed. Windows raises
 * EXCEPTION_IN_PAGE_ERROR for that; Wine on Linux raises EXCEPTION_ACCESS_VIOLATION (from SIGBUS).
 * Unhandled, either would kill whatever process loaded this DLL.
 *
 * guard_copy and guard_fill run one memcpy or memset inside a structured exception handling scope,
 * what MSVC writes as __try/__except and mingw-w64's C compiler cannot: sr_guard_call below is a
 * small assembly function whose unwind data names __C_specific_handler and one scope, from just
 * before its call of the copy to just after it. When anything the copy calls faults, the system's
 * exception dispatcher finds that scope on the faulting thread's own stack and asks the filter,
 * sr_guard_filter. The filter accepts only an in-page error or access violation whose address lies
 * inside the mapped range this very copy touches (the frame says which); it records the fault, and
 * the dispatcher unwinds the copy and resumes sr_guard_call after the scope, which returns to
 * guard_do with the frame marked "faulted". Every other exception is left to whoever else handles it.
 *
 * There is nothing to install or remove: no vectored handler, no TLS slot, no global state. The
 * handler exists only while a copy runs, only on the thread that runs it, and goes away with the
 * DLL's own unwind tables, so DllMain has nothing to do for it (contract rule 4).
 */
#include "private.h"

struct guard_frame
{
    const BYTE *lo, *hi;           /* the mapped range this copy touches */
    BYTE *dst;
    const BYTE *src;               /* NULL: fill dst with value */
    SIZE_T count;
    BYTE value;
    volatile LONG faulted;
    struct sr_fault fault;
};

/* Called (only) from sr_guard_call: the copy itself. */
void __attribute__((used, noinline)) sr_guard_run(struct guard_frame *frame)
{
    if (frame->src) memcpy(frame->dst, frame->src, frame->count);
    else memset(frame->dst, frame->value, frame->count);
}

/* The scope's filter, called by __C_specific_handler on the faulting thread. establisher is
 * sr_guard_call's stack pointer after its prologue; the frame pointer was stored at +32. */
LONG __attribute__((used, noinline)) sr_guard_filter(EXCEPTION_POINTERS *ptrs, void *establisher)
{
    struct guard_frame *frame = *(struct guard_frame **)((BYTE *)establisher + 32);
    EXCEPTION_RECORD *rec = ptrs->ExceptionRecord;
    ULONG_PTR address;

    if (rec->ExceptionCode != EXCEPTION_IN_PAGE_ERROR && rec->ExceptionCode != EXCEPTION_ACCESS_VIOLATION)
        return EXCEPTION_CONTINUE_SEARCH;
    if (rec->NumberParameters < 2) return EXCEPTION_CONTINUE_SEARCH;
    address = rec->ExceptionInformation[1];
    if (address < (ULONG_PTR)frame->lo || address >= (ULONG_PTR)frame->hi) return EXCEPTION_CONTINUE_SEARCH;
    frame->fault.code = rec->ExceptionCode;
    frame->fault.address = address;
    frame->fault.write = rec->ExceptionInformation[0] == 1;
    frame->fault.status = rec->ExceptionCode == EXCEPTION_IN_PAGE_ERROR && rec->NumberParameters >= 3
                          ? (LONG)rec->ExceptionInformation[2] : 0;
    frame->faulted = 1;
    return EXCEPTION_EXECUTE_HANDLER;
}

/* void sr_guard_call(struct guard_frame *frame): sr_guard_run(frame) inside the scope.
 * 40 bytes of stack: 32 of home space for the callee, the frame pointer at +32 (for the
 * filter), and the alignment the call needs. The nop after the call keeps the return address
 * inside the scope; the scope's end is also where execution resumes after a fault. */
void sr_guard_call(struct guard_frame *frame);
__asm__(
    "\t.text\n"
    "\t.p2align 4\n"
    "\t.globl sr_guard_call\n"
    "\t.def sr_guard_call; .scl 2; .type 32; .endef\n"
    "sr_guard_call:\n"
    "\t.seh_proc sr_guard_call\n"
    "\tsubq $40, %rsp\n"
    "\t.seh_stackalloc 40\n"
    "\t.seh_endprologue\n"
    "\tmovq %rcx, 32(%rsp)\n"
    ".Lsr_guard_begin:\n"
    "\tcall sr_guard_run\n"
    "\tnop\n"
    ".Lsr_guard_end:\n"
    "\tnop\n"
    "\taddq $40, %rsp\n"
    "\tret\n"
    "\t.seh_handler __C_specific_handler, @except\n"
    "\t.seh_handlerdata\n"
    "\t.long 1\n"
    "\t.rva .Lsr_guard_begin, .Lsr_guard_end, sr_guard_filter, .Lsr_guard_end\n"
    "\t.text\n"
    "\t.seh_endproc\n");

static BOOL guard_do(struct guard_frame *frame, struct sr_fault *fault)
{
    frame->faulted = 0;
    sr_guard_call(frame);
    if (!frame->faulted) return TRUE;
    *fault = frame->fault;
    TRACE("fault %#lx at %p (status %#lx)", fault->code, (void *)fault->address, fault->status);
    return FALSE;
}

BOOL guard_copy(void *dst, const void *src, SIZE_T count, const void *mapped, struct sr_fault *fault)
{
    struct guard_frame frame;

    frame.dst = dst;
    frame.src = src;
    frame.count = count;
    frame.value = 0;
    frame.lo = mapped;
    frame.hi = (const BYTE *)mapped + count;
    return guard_do(&frame, fault);
}

BOOL guard_fill(void *dst, BYTE value, SIZE_T count, struct sr_fault *fault)
{
    struct guard_frame frame;

    frame.dst = dst;
    frame.src = NULL;
    frame.count = count;
    frame.value = value;
    frame.lo = dst;
    frame.hi = (const BYTE *)dst + count;
    return guard_do(&frame, fault);
}
