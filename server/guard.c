/*
 * SharedRegion server: copying to and from mapped memory without risking the host process.
 *
 * A view of a file can fault when one of its pages is read in or written back: another program
 * truncated the file under the mapping, a network share went away, the disk failed. Windows raises
 * EXCEPTION_IN_PAGE_ERROR for that; Wine on Linux raises EXCEPTION_ACCESS_VIOLATION (from SIGBUS).
 * Unhandled, either would kill whatever process loaded this DLL.
 *
 * guard_copy and guard_fill run one memcpy or memset inside a structured exception handling scope,
 * guard_load one atomic load (a Snapshot's guard counter, which a truncated file can fault too), and
 * guard_run a caller's function that reads a mapped range (a Snapshot's try: its counters, the copy
 * and the counters again, in one scope rather than three): what MSVC writes as __try/__except and
 * mingw-w64's C compiler cannot. The two bitnesses of
 * Windows find handlers in different ways, so each has its own small assembly function,
 * sr_guard_call; both ask the same question, guard_accept: only an in-page error or access
 * violation whose address lies inside the mapped range this very copy touches (the frame says
 * which) is taken; it is recorded, and sr_guard_call returns to guard_do with the frame marked
 * "faulted". Every other exception is left to whoever else handles it.
 *
 * x64: table-based. sr_guard_call's unwind data names __C_specific_handler and one scope, from just
 * before its call of the copy to just after it. The dispatcher finds that scope on the faulting
 * thread's own stack and asks the filter, sr_guard_filter; the dispatcher unwinds the copy and
 * resumes sr_guard_call after the scope.
 *
 * x86: frame-based. sr_guard_call pushes an exception registration record (next, handler, and the
 * frame) on its own stack and links it at the head of the thread's chain (fs:[0]) for the length
 * of the copy. The dispatcher walks that chain and calls sr_guard_handler, which resumes
 * sr_guard_call at its recovery point with the stack pointer at the record; there the record is
 * unlinked again. No RtlUnwind is needed before resuming: the only code between the record and
 * the fault is memcpy, memset, one load or a guard_run function, which register no frame of their
 * own and hold nothing (a guard_run function may only read and compute: no lock, no allocation), so
 * abandoning their frames loses nothing; and the dispatcher's own frame is gone once the handler
 * returns. SafeSEH does not refuse the handler: GNU ld writes no
 * safe-handler table and does not mark the image "no SEH", and Windows accepts any handler inside
 * such an image.
 *
 * There is nothing to install or remove: no vectored handler, no TLS slot, no global state. The
 * handler exists only while a copy runs, only on the thread that runs it, and goes away with the
 * DLL, so DllMain has nothing to do for it (contract rule 4).
 */
#include "private.h"

struct guard_frame
{
    const BYTE *lo, *hi;           /* the mapped range this copy touches */
    BYTE *dst;
    const BYTE *src;               /* NULL: fill dst with value */
    SIZE_T count;
    SIZE_T width;                  /* non-zero: one atomic load of this many bytes from src, not a copy */
    BYTE value;
    void (*fn)(void *context, const BYTE *mem); /* non-NULL: guard_run's function, called with src */
    void *context;
    volatile LONG faulted;
    struct sr_fault fault;
};

/* Called (only) from sr_guard_call: the copy itself. */
void __attribute__((used, noinline)) sr_guard_run(struct guard_frame *frame)
{
    if (frame->fn) frame->fn(frame->context, frame->src);
    else if (frame->width) guard_atomic_load(frame->dst, frame->src, frame->width);
    else if (frame->src) memcpy(frame->dst, frame->src, frame->count);
    else memset(frame->dst, frame->value, frame->count);
}

/* Is this the fault of this copy? Then record it. */
static BOOL guard_accept(struct guard_frame *frame, const EXCEPTION_RECORD *rec)
{
    ULONG_PTR address;

    if (rec->ExceptionCode != EXCEPTION_IN_PAGE_ERROR && rec->ExceptionCode != EXCEPTION_ACCESS_VIOLATION)
        return FALSE;
    if (rec->NumberParameters < 2) return FALSE;
    address = rec->ExceptionInformation[1];
    if (address < (ULONG_PTR)frame->lo || address >= (ULONG_PTR)frame->hi) return FALSE;
    frame->fault.code = rec->ExceptionCode;
    frame->fault.address = address;
    frame->fault.write = rec->ExceptionInformation[0] == 1;
    frame->fault.status = rec->ExceptionCode == EXCEPTION_IN_PAGE_ERROR && rec->NumberParameters >= 3
                          ? (LONG)rec->ExceptionInformation[2] : 0;
    frame->faulted = 1;
    return TRUE;
}

void sr_guard_call(struct guard_frame *frame);

#if defined(__x86_64__)

/* The scope's filter, called by __C_specific_handler on the faulting thread. establisher is
 * sr_guard_call's stack pointer after its prologue; the frame pointer was stored at +32. */
LONG __attribute__((used, noinline)) sr_guard_filter(EXCEPTION_POINTERS *ptrs, void *establisher)
{
    struct guard_frame *frame = *(struct guard_frame **)((BYTE *)establisher + 32);

    return guard_accept(frame, ptrs->ExceptionRecord) ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH;
}

/* void sr_guard_call(struct guard_frame *frame): sr_guard_run(frame) inside the scope.
 * 40 bytes of stack: 32 of home space for the callee, the frame pointer at +32 (for the
 * filter), and the alignment the call needs. The nop after the call keeps the return address
 * inside the scope; the scope's end is also where execution resumes after a fault. */
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

#elif defined(__i386__)

/* The record sr_guard_call links into fs:[0]: EXCEPTION_REGISTRATION_RECORD, then the frame. */
struct guard_record
{
    struct guard_record *next;
    void *handler;
    struct guard_frame *frame;
};

/* Where sr_guard_call resumes after a fault (defined in the assembly below). */
void sr_guard_resume(void);

/* The frame's handler, called by the exception dispatcher on the faulting thread (cdecl, as every
 * x86 exception handler). establisher is the record. Unwind calls (another handler further up is
 * unwinding past this copy) are not ours to act on. */
EXCEPTION_DISPOSITION __cdecl __attribute__((used, noinline))
sr_guard_handler(EXCEPTION_RECORD *rec, void *establisher, CONTEXT *context, void *dispatcher)
{
    struct guard_record *record = establisher;

    if (rec->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)) return ExceptionContinueSearch;
    if (rec->ExceptionFlags & EXCEPTION_NONCONTINUABLE) return ExceptionContinueSearch;
    if (!guard_accept(record->frame, rec)) return ExceptionContinueSearch;
    /* Resume at the recovery point with the stack as it was just after the record was linked;
     * sr_guard_call's saved registers are above it, untouched by the copy. */
    context->Eip = (DWORD)(ULONG_PTR)sr_guard_resume;
    context->Esp = (DWORD)(ULONG_PTR)record;
    context->EFlags &= ~0x400;   /* the direction flag clear, as the C code after it expects */
    return ExceptionContinueExecution;
}

/* void sr_guard_call(struct guard_frame *frame) (cdecl): link the record, run the copy, unlink it.
 * ebx, esi, edi and ebp are saved below the record, so a resumed call restores them from there. */
__asm__(
    "\t.text\n"
    "\t.p2align 4\n"
    "\t.globl _sr_guard_call\n"
    "\t.def _sr_guard_call; .scl 2; .type 32; .endef\n"
    "_sr_guard_call:\n"
    "\tpushl %ebp\n"
    "\tmovl %esp, %ebp\n"
    "\tpushl %ebx\n"
    "\tpushl %esi\n"
    "\tpushl %edi\n"
    "\tpushl 8(%ebp)\n"                 /* record.frame */
    "\tpushl $_sr_guard_handler\n"      /* record.handler */
    "\tpushl %fs:0\n"                   /* record.next */
    "\tmovl %esp, %fs:0\n"
    "\tpushl 8(%ebp)\n"
    "\tcall _sr_guard_run\n"
    "\taddl $4, %esp\n"
    "\t.globl _sr_guard_resume\n"
    "_sr_guard_resume:\n"               /* here %esp is the record, after a copy or a fault */
    "\tpopl %ecx\n"
    "\tmovl %ecx, %fs:0\n"
    "\taddl $8, %esp\n"
    "\tpopl %edi\n"
    "\tpopl %esi\n"
    "\tpopl %ebx\n"
    "\tpopl %ebp\n"
    "\tret\n");

#else
#error "guard.c: no exception guard for this architecture"
#endif

static BOOL guard_do(struct guard_frame *frame, struct sr_fault *fault)
{
    frame->faulted = 0;
    sr_guard_call(frame);
    if (!frame->faulted) return TRUE;
    *fault = frame->fault;
    TRACE("fault %#lx at %p (status %#lx)", fault->code, (void *)fault->address, fault->status);
    return FALSE;
}

/* One guarded operation over count bytes from lo: the frame filled in, run, and its fault reported. */
static BOOL guard_op(void *dst, const void *src, SIZE_T count, SIZE_T width, BYTE value,
                     void (*fn)(void *context, const BYTE *mem), void *context, const void *lo, struct sr_fault *fault)
{
    struct guard_frame frame = { .lo = lo, .hi = (const BYTE *)lo + count, .dst = dst, .src = src, .count = count,
                                 .width = width, .value = value, .fn = fn, .context = context };
    return guard_do(&frame, fault);
}

BOOL guard_copy(void *dst, const void *src, SIZE_T count, const void *mapped, struct sr_fault *fault)
{
    return guard_op(dst, src, count, 0, 0, NULL, NULL, mapped, fault);
}

BOOL guard_load(void *dst, const void *src, SIZE_T width, struct sr_fault *fault)
{
    return guard_op(dst, src, width, width, 0, NULL, NULL, src, fault);
}

BOOL guard_fill(void *dst, BYTE value, SIZE_T count, struct sr_fault *fault)
{
    return guard_op(dst, NULL, count, 0, value, NULL, NULL, dst, fault);
}

BOOL guard_run(void (*fn)(void *context, const BYTE *mem), void *context, const void *mem, SIZE_T count,
               struct sr_fault *fault)
{
    return guard_op(NULL, mem, count, 0, 0, fn, context, mem, fault);
}
