/*
 * SharedRegion server: private declarations shared by the server's files.
 *
 * Who owns what (the answer to "who closes this handle"):
 *   struct sr_mapping  (mapping.c)  the section handle, the file handle, the lock and signal
 *                                   objects (opened by sync.c). Reference counted; the last
 *                                   mapping_release closes every handle.
 *   struct sr_keeper   (sync.c)     a lock keeper: the thread that holds mutexes for one calling
 *                                   thread. Kept in a list; ended by DllCanUnloadNow when idle.
 *   struct sr_span     (span.c)     one mapped view (MapViewOfFile) onto a mapping, plus one
 *                                   reference on that mapping. span_unbind unmaps it and drops
 *                                   the reference. A region has one span (its data window), a
 *                                   view object has one span (the view).
 *   region.c / view.c               COM objects; each owns exactly one span.
 *   snapshot.c                      the snapshot object: a span of kind SPAN_SNAPSHOT over a private
 *                                   copy of bytes (no mapping), which the snapshot allocates and frees;
 *                                   the cache of freed large copies (snapshot_cache_free empties it).
 * Who releases the lock: sync.c's opening comment, "The lock's rules".
 */
#ifndef SHAREDREGION_PRIVATE_H
#define SHAREDREGION_PRIVATE_H

#define COBJMACROS
#include <windows.h>
#include <ole2.h>
#include <oleauto.h>
#include <stdarg.h>
#include <stdio.h>
#include "sharedregion.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Largest double that is still an exact integer: every number above it is rejected. */
#define SR_MAX_EXACT          9007199254740992.0   /* 2^53 */
/* Regions up to this size are mapped whole, once; larger ones use a sliding window. */
#define SR_FULLMAP_MAX        ((ULONGLONG)64 << 20)
/* The sliding window: the most address space a large region maps at once. */
#define SR_WINDOW_SIZE        ((ULONGLONG)64 << 20)
/* Largest count one call may move (the size of a SAFEARRAY or a BSTR), and the largest struct. */
#define SR_MAX_COUNT          0x7fffffffULL
/* Most elements in one array of VARIANTs that a call makes (ReadArray's and Unpack's results, the
 * values Pack takes, a JScript array's elements): at 24 bytes a VARIANT (a 64-bit process; 16 in a
 * 32-bit one) such an array stays under 2^31 bytes, so no size computed from it wraps, in this DLL
 * or in the system's SafeArrayCreate. The same figure in both bitnesses. */
#define SR_MAX_ITEMS          (SR_MAX_COUNT / 24)  /* 89478485 */
/* Longest struct format, in characters: checked before parsing allocates anything (one item per
 * character). Real formats are a few hundred characters. */
#define SR_MAX_FORMAT         65536

/* ---- tracing (trace.c): costs one branch when off; on with SHAREDREGION_TRACE=1 ---- */
extern LONG sr_trace_state;   /* 0 unknown, 1 off, 2 on */
BOOL sr_trace_init(void);
void sr_trace_print(const char *func, const char *fmt, ...);
#define TRACE(...) do { \
        if (sr_trace_state != 1 && (sr_trace_state == 2 || sr_trace_init())) \
            sr_trace_print(__func__, __VA_ARGS__); \
    } while (0)

/* ---- module (dllmain.c) ---- */
extern HINSTANCE sr_instance;
void module_addref(void);
void module_release(void);

/* ---- IDispatch for every object (dispatch.c): the type-info cache, names, Invoke ---- */
/* The DLL's own path, however long (GetModuleFileNameW until it fits); free with HeapFree. */
HRESULT module_path(WCHAR **path);
typedef enum { ISharedRegion_tid, ISharedView_tid, ISharedSnapshot_tid, ISharedRecord_tid, LAST_tid } sr_tid_t;
HRESULT get_typeinfo(sr_tid_t tid, ITypeInfo **typeinfo);
/* A real unload (DllMain): the type library, its type infos and the name tables go. */
void release_typelib(void);
struct sr_span;
HRESULT disp_get_type_info_count(UINT *count);
HRESULT disp_get_type_info(sr_tid_t tid, UINT index, ITypeInfo **ti);
/* Invoke: the typed members' fast path where it applies, else ITypeInfo_Invoke with its arguments
 * checked first and its refusals described in the member's words. */
HRESULT disp_invoke(sr_tid_t tid, REFIID iid, void *object, struct sr_span *span, DISPID id, WORD flags,
                    DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *argerr);
/* IDispatch::GetIDsOfNames for our interfaces: a cached name table, then the type info. */
HRESULT get_ids_of_names(sr_tid_t tid, LPOLESTR *names, UINT count, DISPID *ids);
/* The same for one name, from the cached table only: S_FALSE when the table does not have it (the
 * caller may then try its own names before the type info, which is slow to miss). */
HRESULT get_id_of_member(sr_tid_t tid, const WCHAR *name, DISPID *id);
/* Two names equal without case, ASCII letters only (member and field names are ASCII). */
BOOL name_equal(const WCHAR *a, const WCHAR *b);

/* ---- errors and arguments (args.c) ---- */
/* Set rich error information (IErrorInfo) with a formatted sentence and return hr. */
HRESULT sr_error(HRESULT hr, REFIID iid, const WCHAR *fmt, ...);
/* The same for a Win32 error code: appends the system's message; returns HRESULT_FROM_WIN32(err). */
HRESULT sr_win32_error(DWORD err, REFIID iid, const WCHAR *fmt, ...);
/* Validate a script number that must be a whole number in [0, 2^53]. */
HRESULT arg_number(const WCHAR *method, const WCHAR *what, double value, REFIID iid, ULONGLONG *out);
/* Optional VARIANT arguments: missing (VT_ERROR/DISP_E_PARAMNOTFOUND or VT_EMPTY) gives the default. */
BOOL arg_missing(const VARIANT *v);
/* A VARIANT argument with one level of VT_BYREF|VT_VARIANT taken off; NULL when that reference is NULL
 * or refers to another reference (never followed further), or when what is left is a by-reference
 * value (VT_BYREF|VT_BSTR, VT_BYREF|VT_R8 ...) whose pointer is NULL. A by-reference array with a NULL
 * pointer is returned as it is: its callers say so in their own words. */
const VARIANT *arg_deref(const VARIANT *v);
/* The refusal of an argument that arg_deref turned down (E_INVALIDARG), naming the method and `what`. */
HRESULT arg_ref_error(const WCHAR *method, const WCHAR *what, REFIID iid);
HRESULT arg_opt_number(const WCHAR *method, const WCHAR *what, const VARIANT *v, ULONGLONG def,
                       REFIID iid, ULONGLONG *out);
HRESULT arg_opt_access(const WCHAR *method, const VARIANT *v, DWORD def, REFIID iid, DWORD *out);
HRESULT arg_opt_string(const WCHAR *method, const WCHAR *what, const VARIANT *v, REFIID iid, BSTR *out);
HRESULT arg_opt_bool(const WCHAR *method, const WCHAR *what, const VARIANT *v, BOOL def, REFIID iid,
                     BOOL *out);
const WCHAR *access_name(DWORD access);
const WCHAR *vt_name(VARTYPE vt);
/* A name, path or sddl string must not hide a NUL: the kernel would see only the part before it. */
HRESULT arg_no_nul(const WCHAR *method, const WCHAR *what, BSTR s, REFIID iid);

/* ---- the kernel objects: sections and names (mapping.c), lock and signal objects (sync.c) ---- */
enum sr_sync { SYNC_LOCK, SYNC_SIGNAL };
/* What a call needs of a lock or signal object: an existing object is opened for exactly that. */
enum sr_need { NEED_LOCK, NEED_WAIT, NEED_SET };

struct sr_mapping
{
    LONG ref;
    HANDLE section;          /* the file mapping object */
    HANDLE file;             /* file-backed: the file (for FlushFileBuffers); else NULL */
    ULONGLONG size;          /* bytes addressable */
    DWORD access;            /* RegionAccess the section handle was opened for */
    WCHAR *name;             /* kernel name ("Local\\x"), NULL when anonymous */
    PSECURITY_DESCRIPTOR sd; /* from Create's sddl (the section's); NULL: default security */
    /* The lock and signal objects, and what creating one of them applies: a DACL derived from the
     * section's (each grantee gets the rights its section access needs), or for a Global\ name
     * without an sddl the token's default DACL made explicit. All below are guarded by sync_lock. */
    SRWLOCK sync_lock;
    PSECURITY_DESCRIPTOR sync_sd[2];  /* per object kind (HeapAlloc); NULL: default security */
    WCHAR *sync_name[2];     /* kernel names of the mutex and the event; NULL: derived (or private) */
    BOOL sync_used[2];       /* a Lock/Unlock or Signal/WaitSignal has used the object: its name is fixed */
    HANDLE lock;             /* mutex, SYNCHRONIZE | MUTEX_MODIFY_STATE */
    HANDLE signal_wait;      /* event, SYNCHRONIZE */
    HANDLE signal_set;       /* event, EVENT_MODIFY_STATE (SYNCHRONIZE too when this process created it) */
    BOOL new_file;           /* CreateFile made the file (its handle has DELETE) */
};

/* Arguments of a binding call, already validated. */
struct sr_bind
{
    const WCHAR *method;
    const WCHAR *name;       /* kernel name or NULL for anonymous */
    const WCHAR *path;       /* OpenFile/CreateFile: full path, with the \\?\ prefix */
    const WCHAR *sddl;       /* NULL: default security */
    ULONGLONG size;          /* Create/OpenOrCreate/OpenFile: requested size (0 = file size) */
    DWORD access;
    BOOL open_existing;      /* OpenOrCreate: an existing name is opened */
    BOOL new_file;           /* CreateFile: the file must not exist */
};

/* What a region's lock and signal names end in: "<kernel name>@SharedRegion.Lock", ".Signal". */
#define SR_LOCK_SUFFIX   L"@SharedRegion.Lock"
#define SR_SIGNAL_SUFFIX L"@SharedRegion.Signal"
static inline BOOL name_is_global(const WCHAR *name)
{
    return !_wcsnicmp(name, L"Global\\", 7);
}

/* ---- sections and names (mapping.c) ---- */
/* allow_sync_suffix: the name may end in @SharedRegion.Lock/.Signal (LockName, SignalName). */
HRESULT normalize_name(const WCHAR *method, const WCHAR *name, BOOL allow_sync_suffix, WCHAR **kernel_name);
/* A path for OpenFile/CreateFile: absolute, with the \\?\ prefix; relative paths resolve against
 * the process's current directory. Free with HeapFree. */
HRESULT file_path(const WCHAR *method, const WCHAR *path, WCHAR **full);
HRESULT mapping_create(const struct sr_bind *bind, struct sr_mapping **out, BOOL *created);
HRESULT mapping_open(const struct sr_bind *bind, struct sr_mapping **out);
HRESULT mapping_open_file(const struct sr_bind *bind, struct sr_mapping **out);
/* A CreateFile whose region could not be bound after all: the new file goes when its handles do. */
void mapping_discard_new_file(struct sr_mapping *map);
void mapping_addref(struct sr_mapping *map);
void mapping_release(struct sr_mapping *map);

/* ---- the lock and signal objects, waits and the lock keepers (sync.c) ---- */
/* Create, CreateFile, named OpenFile: the security the new lock and signal objects get, and the
 * claim on their names before the section exists (*taken: another object has the name). */
HRESULT make_sync_security(const WCHAR *method, struct sr_mapping *map);
HRESULT sync_claim(struct sr_mapping *map, const WCHAR *method, enum sr_sync which, BOOL *taken);
/* The lock (mutex) or signal (event) handle a call needs; opened or created on first use, which
 * fixes the object's name. */
HRESULT mapping_sync_object(struct sr_mapping *map, const WCHAR *method, enum sr_need need, HANDLE *out);
/* Open the lock and signal objects now, without fixing their names (best effort). */
void mapping_sync_prefetch(struct sr_mapping *map);
/* LockName/SignalName: the kernel name in use (a new BSTR), or set a new one before first use:
 * kname is a kernel name from normalize_name, which the mapping takes over (freed on failure). */
HRESULT mapping_get_sync_name(struct sr_mapping *map, enum sr_sync which, BSTR *out);
HRESULT mapping_set_sync_name(struct sr_mapping *map, const WCHAR *method, enum sr_sync which, WCHAR *kname);

/* Wait for h up to timeout ms; in a single-threaded apartment with CoWaitForMultipleHandles, which
 * keeps the apartment's messages and incoming calls flowing. Returns WAIT_OBJECT_0, WAIT_ABANDONED,
 * WAIT_TIMEOUT or WAIT_FAILED (GetLastError set). sync_wait_any: the same for several handles
 * (WAIT_OBJECT_0 + i, WAIT_ABANDONED_0 + i). */
DWORD sync_wait(HANDLE h, DWORD timeout);
DWORD sync_wait_any(DWORD count, HANDLE *handles, DWORD timeout);

/* A wait of about a millisecond that keeps a single-threaded apartment's messages flowing (a periodic
 * waitable timer waited for with sync_wait): the poll of WaitChange and the last back-off step of
 * Snapshot. pacer_init creates nothing; the first pacer_wait creates the timer, pacer_done closes it. */
struct sr_pacer
{
    HANDLE timer;            /* NULL until the first wait, or when no timer could be made */
    BOOL high_resolution;    /* CREATE_WAITABLE_TIMER_HIGH_RESOLUTION was accepted */
};
void pacer_init(struct sr_pacer *p);
void pacer_wait(struct sr_pacer *p);
void pacer_done(struct sr_pacer *p);

/* The lock keepers: one thread per thread that locks, which takes and gives back mutexes for it, so
 * that a mutex is never tied to a thread that may be gone or busy when the lock must go back (a
 * final Release on a .NET finalizer thread). A keeper serves releases while acquires wait. */
struct sr_keeper;
/* The calling thread's keeper, with one more reference (a lock held through it). */
HRESULT keeper_get(const WCHAR *method, struct sr_keeper **out);
void keeper_put(struct sr_keeper *k);
/* Take mutex on the keeper's thread, waiting up to timeout; the caller waits with sync_wait.
 * Returns WAIT_OBJECT_0, WAIT_ABANDONED, WAIT_TIMEOUT or WAIT_FAILED (*error). */
DWORD keeper_acquire(struct sr_keeper *k, HANDLE mutex, DWORD timeout, DWORD *error);
/* Give mutex back on the keeper's thread; any thread may ask, and is answered at once. */
BOOL keeper_release(struct sr_keeper *k, HANDLE mutex, DWORD *error);
/* DllCanUnloadNow with no object left: end the idle keepers, so nothing of ours runs. */
void keeper_stop_idle(void);
/* A real unload (DllMain): the keepers' thread-local slot goes back. */
void keeper_unload(void);

/* A lock that one object holds (region.c keeps one under its span lock; sync.c's rules). */
struct sr_lock
{
    struct sr_keeper *keeper;  /* the keeper that holds the mutex (one keeper reference) */
    struct sr_mapping *map;    /* one reference on the mapping whose mutex it is */
    HANDLE mutex;              /* map's lock handle */
    DWORD owner;               /* the thread whose Lock took it: its further Locks nest */
    LONG depth;                /* Locks not yet matched by Unlock; 0: nothing held */
};
/* Take map's mutex through the calling thread's keeper, waiting up to timeout (as sync_wait does).
 * *res: WAIT_OBJECT_0 or WAIT_ABANDONED (and *held filled, depth 1) or WAIT_TIMEOUT (S_OK, nothing
 * held); a failure is returned with its error information. */
HRESULT lock_take(const WCHAR *method, struct sr_mapping *map, HANDLE mutex, DWORD timeout, struct sr_lock *held,
                  DWORD *res);
/* Give back what *held holds, whatever its depth, and clear it. Call it with no object lock held:
 * it waits for the keeper's answer. */
HRESULT lock_give_back(const WCHAR *method, struct sr_lock *held);

/* ---- spans: the mapped memory behind regions and views (span.c) ---- */
enum span_kind { SPAN_REGION, SPAN_VIEW, SPAN_SNAPSHOT };
/* SPAN_LOAD: one aligned, atomic load of 1, 2, 4 or 8 bytes (a guard counter), never a byte copy. */
enum span_op { SPAN_READ, SPAN_WRITE, SPAN_FILL, SPAN_FLUSH, SPAN_LOAD };

/* span_init_copy sets each member by name: a member added here is set there too. */
struct sr_span
{
    SRWLOCK lock;            /* shared: data calls; exclusive: bind, close, moving the window */
    enum span_kind kind;
    struct sr_mapping *map;  /* one reference; NULL when closed / unmapped */
    ULONGLONG start;         /* the span's first byte, as an offset in the section */
    ULONGLONG size;          /* bytes addressable through the span */
    DWORD access;
    BOOL sliding;            /* the window moves (large regions); else the whole span is mapped */
    void *view;              /* what MapViewOfFile returned (allocation-granularity aligned) */
    BYTE *win;               /* address of span offset win_off */
    ULONGLONG win_off;       /* window, in span offsets */
    ULONGLONG win_len;
    LONG remaps;             /* how many times the window moved (diagnostics, benchmarks) */
    BYTE *copy;              /* SPAN_SNAPSHOT: the private copy (win points to it; map stays NULL) */
};

void span_init(struct sr_span *span, enum span_kind kind);
/* A snapshot's span: read-only, over size bytes at copy, which the caller owns and frees. */
void span_init_copy(struct sr_span *span, BYTE *copy, ULONGLONG size);
/* Bind an (unbound) span to map, taking a reference. Caller holds the span lock exclusively. */
HRESULT span_bind(struct sr_span *span, const WCHAR *method, struct sr_mapping *map,
                  ULONGLONG start, ULONGLONG size, DWORD access, BOOL allow_sliding);
/* Unmap and drop the mapping reference. Caller holds the span lock exclusively. */
void span_unbind(struct sr_span *span);
REFIID span_iid(const struct sr_span *span);
const WCHAR *span_noun(const struct sr_span *span);   /* "region", "view", "snapshot" */
ULONGLONG span_size(struct sr_span *span);  /* 0 when closed */
/* Check state and bounds, then read, write, fill or flush [offset, offset+count). */
HRESULT span_io(struct sr_span *span, const WCHAR *method, enum span_op op, ULONGLONG offset,
                ULONGLONG count, void *buffer, BYTE fill);
/* The error for a data call on a closed region / unmapped view. */
HRESULT span_closed_error(const struct sr_span *span, const WCHAR *method);
/* The state and bounds checks of span_io alone, for a caller that must know before it allocates. */
HRESULT span_check(struct sr_span *span, const WCHAR *method, ULONGLONG offset, ULONGLONG count);
/* Several reads under one hold of the span's lock (span.c, "reads that belong together"): checks
 * [offset, offset+count) as span_io does, then runs fn with the lock held shared when that range is
 * mapped now; S_FALSE, without running fn, when it is not (read through span_io instead). */
HRESULT span_hold(struct sr_span *span, const WCHAR *method, ULONGLONG offset, ULONGLONG count,
                  HRESULT (*fn)(struct sr_span *span, void *context), void *context);
/* Inside span_hold's fn only: the span's size; the memory of [offset, offset+count) as mapped now,
 * or NULL when it is not mapped now (the caller checks the range against the size first); and
 * body(context, mem) run inside one fault guard over count bytes at such memory (guard_run's rules),
 * a fault there turned into SR_E_PAGEFAULT. */
ULONGLONG span_held_size(const struct sr_span *span);
const BYTE *span_held_memory(const struct sr_span *span, ULONGLONG offset, ULONGLONG count);
HRESULT span_held_run(struct sr_span *span, const WCHAR *method, const BYTE *mem, ULONGLONG count,
                      void (*body)(void *context, const BYTE *mem), void *context);

/* ---- copies that survive a page-in failure (guard.c) ---- */
struct sr_fault
{
    DWORD code;              /* EXCEPTION_IN_PAGE_ERROR, or EXCEPTION_ACCESS_VIOLATION (Wine: SIGBUS) */
    ULONG_PTR address;       /* the faulting address, inside the mapped range */
    BOOL write;              /* the fault was on a write */
    LONG status;             /* in-page error: the NTSTATUS of the failed I/O; else 0 */
};
/* memcpy/memset where [mapped, mapped + count) is mapped memory: FALSE and *fault if it faulted. */
BOOL guard_copy(void *dst, const void *src, SIZE_T count, const void *mapped, struct sr_fault *fault);
BOOL guard_fill(void *dst, BYTE value, SIZE_T count, struct sr_fault *fault);
/* One atomic load of width (1, 2, 4 or 8) bytes from the aligned address src, with acquire order. */
BOOL guard_load(void *dst, const void *src, SIZE_T width, struct sr_fault *fault);
/* fn(context, mem) inside one guard over [mem, mem + count), which fn may read and nothing else: it
 * must not take a lock, allocate or wait (on x86 a fault abandons its frame). FALSE and *fault if a
 * read there faulted. guard_atomic_load is guard_load's load itself, for such a function. */
BOOL guard_run(void (*fn)(void *context, const BYTE *mem), void *context, const void *mem, SIZE_T count,
               struct sr_fault *fault);

/* guard_load's load, and a guard_run function's: a counter that another process writes, read in
 * one load that cannot tear: aligned, of its own width, with acquire order (the copy that follows
 * is not read before it). For 8 bytes in a 32-bit process the compiler emits one 8-byte load
 * (fild/fistp), which is atomic when aligned; InterlockedCompareExchange64 would be atomic too, but
 * it writes, and faults on a read-only view. Only inside a guard: the counter is mapped memory. */
static inline void guard_atomic_load(void *dst, const void *src, SIZE_T width)
{
    switch (width)
    {
    case 1: *(BYTE *)dst = __atomic_load_n((const volatile BYTE *)src, __ATOMIC_ACQUIRE); break;
    case 2: *(USHORT *)dst = __atomic_load_n((const volatile USHORT *)src, __ATOMIC_ACQUIRE); break;
    case 4: *(ULONG *)dst = __atomic_load_n((const volatile ULONG *)src, __ATOMIC_ACQUIRE); break;
    default: *(ULONGLONG *)dst = __atomic_load_n((const volatile ULONGLONG *)src, __ATOMIC_ACQUIRE); break;
    }
}

/* ---- numbers, text and struct formats to and from bytes (values.c, text.c, structfmt.c) ---- */
#include "codec.h"

/* ---- what the data members share (data.c, live.c) ---- */
/* A whole number in [0, 2^53], the usual offset, is taken here without a call (NaN fails the first
 * test); anything else goes to arg_number, which accepts or rejects it with its message. */
static inline BOOL plain_offset(double value, ULONGLONG *out)
{
    if (!(value >= 0 && value <= SR_MAX_EXACT)) return FALSE;
    *out = (ULONGLONG)value;
    return (double)*out == value;
}

#define CHECK_OFFSET(method, value, out) \
    do { if (!plain_offset(value, out) && FAILED(hr = arg_number(method, L"offset", value, span_iid(s), out))) \
             return hr; } while (0)

/* A VARIANT argument that is a reference to nothing usable (NULL, or another reference, which could
 * be itself) is refused here, before any codec looks at it: references are followed one level only. */
static inline HRESULT check_ref(struct sr_span *s, const WCHAR *method, const WCHAR *what, const VARIANT *v)
{
    return arg_deref(v) ? S_OK : arg_ref_error(method, what, span_iid(s));
}

#define CHECK_RESULT(method, p) \
    do { if (!(p)) return sr_error(E_POINTER, span_iid(s), L"%ls: the result pointer is NULL", method); } while (0)

/* Scratch for one call's bytes: on the stack when small (a frame, a short array), else on the heap. */
struct scratch
{
    BYTE *p;
    BYTE local[512];
};

static inline BYTE *scratch_get(struct scratch *sc, SIZE_T n)
{
    sc->p = n <= sizeof(sc->local) ? sc->local : HeapAlloc(GetProcessHeap(), 0, n);
    return sc->p;
}

static inline void scratch_free(struct scratch *sc)
{
    if (sc->p && sc->p != sc->local) HeapFree(GetProcessHeap(), 0, sc->p);
    sc->p = NULL;
}

/* A format argument as a string for messages (a NULL BSTR is the empty string). */
static inline const WCHAR *format_text(BSTR format)
{
    return format ? format : L"";
}

/* A format argument, parsed (or found in the cache). A NUL inside the BSTR is refused, as Python refuses
 * an embedded NUL: the parser would see only the part before it. */
HRESULT format_arg(struct sr_span *s, const WCHAR *method, BSTR format, struct sr_format **f);

/* ---- the data members shared by regions and views (data.c, live.c) ---- */
#include "members.h"
SR_DATA_MEMBERS(SR_DATA_DECLARE)

/* ---- objects ---- */
HRESULT region_create(REFIID riid, void **out);
/* A record owns names and values (HeapAlloc'd arrays of count each) from this call on, even when it fails. */
HRESULT record_create(ULONG count, BSTR *names, VARIANT *values, ISharedRecord **out);
HRESULT view_create(ISharedRegion *region, struct sr_mapping *map, ULONGLONG offset, ULONGLONG size,
                    DWORD access, ISharedView **out);
/* Snapshot (live.c checked the offset, count and timeout): a copy of [offset, offset+count) of the
 * span, consistent under guard (NULL or "" for none; a NUL inside it is refused). timeout in ms,
 * INFINITE for ever. */
HRESULT snapshot_take(struct sr_span *s, ULONGLONG offset, ULONGLONG count, BSTR guard, DWORD timeout,
                      ISharedSnapshot **out);
/* DllCanUnloadNow with no object left: the cached copies go back to the system. */
void snapshot_cache_free(void);
/* Free the spare snapshot objects and drop the module references they keep (DllCanUnloadNow). */
void snapshot_spares_free(void);
/* A real unload: free the spares and the cached blocks, taking no lock (DllMain). */
void snapshot_unload(void);

/* ---- registration (register.c) ---- */
HRESULT register_server(BOOL per_user);
HRESULT unregister_server(BOOL per_user);

/* Wide-string helpers. */
WCHAR *sr_strdupW(const WCHAR *s);

#endif /* SHAREDREGION_PRIVATE_H */
