/*
 * SharedRegion server: the snapshot object (ISharedSnapshot, ISharedViewMemory), and how one is taken.
 *
 * Snapshot(offset, count, [guard], [timeoutMs]) copies bytes that another program may be writing at
 * that very moment, so that the copy is one consistent frame under the publisher's own protocol (the
 * guard), and returns the copy as an object. The object owns one span of kind SPAN_SNAPSHOT over its
 * private copy (span.c): every data member of data.c works on it unchanged, and every write is
 * refused there ("a snapshot is read-only"). It holds nothing of the region: no mapping, no view, no
 * handle. It counts in the module count, and ISharedViewMemory::GetAddress hands C callers the copy.
 *
 * The guards, and what makes a copy consistent under each:
 *   ""                  one copy.
 *   "lock"              the region's mutex (LockName) is held for the copy, taken through the calling
 *                       thread's lock keeper as Lock takes it (sync.c, "The lock's rules").
 *   "seq:OFF[:T]"       a sequence lock: the counter is even before the copy and the same after it.
 *   "pair:BEGIN,END[:T]" begin = end before the copy, and both the same after it.
 *   "tick:OFF[:T]"      the counter is the same before and after the copy. This catches a write that
 *                       finished during the copy, not one still in progress when the counter is read
 *                       again: it is sound where the publisher never rewrites the buffer being read
 *                       while a reader copies it (rotating buffers, as iRacing's), not for a publisher
 *                       that rewrites one buffer in place.
 * Counters are read with aligned, atomic loads (guard.c's guard_load, through SPAN_LOAD): a counter
 * copied byte by byte could itself be torn. Each load has acquire order, so the copy is not read
 * before the counters, and an acquire fence between the copy and the second reading keeps the copy's
 * loads from moving after it: the reader's side of a sequence lock in the C11 memory model (Boehm,
 * "Can seqlocks get along with programming language memory models?", 2012). On x86 and x64, where a
 * load is never reordered with another load, the fence only stops the compiler; a full barrier
 * (MemoryBarrier) would cost a Snapshot of 4 KiB a tenth of its time for nothing. One try (counters,
 * copy, counters) holds the span's shared lock once (span_hold), and page faults in it become
 * SR_E_PAGEFAULT.
 *
 * Between tries the reader backs off, so that it never keeps the writer's core or cache line busy:
 * a few rounds of spinning (YieldProcessor), then SwitchToThread, then waits of about a millisecond
 * on the pacer (sync.c), which keep a single-threaded apartment's messages flowing.
 */
#include <wchar.h>
#include "private.h"

/* ---- the copies' memory ----
 *
 * Repeated large snapshots must not pay a page fault per page, as ReadBytes does when the heap serves
 * its new array from fresh pages, and repeated small ones must not pay a heap allocation each. What
 * is chosen, and why:
 *   - a copy of up to SNAP_INLINE_MAX bytes lives in the object's own heap block, after the struct.
 *     When the object goes, its block is kept as a spare (below, "spare objects"), and the next
 *     snapshot that fits takes it with one interlocked exchange: no HeapAlloc, no HeapFree;
 *   - a larger copy lives in a block of committed pages (VirtualAlloc), and a freed block is kept in a
 *     small cache from which the next snapshot of about its size takes it, its pages already
 *     committed and touched. Not a private heap: a growable heap serves blocks of about 512 KiB (x86)
 *     or 1 MiB (x64) and more from fresh VirtualAlloc memory and releases them on free, which is the
 *     very cost to avoid, and a heap of fixed size keeps its pages but cannot serve blocks that large.
 * The cache holds at most SNAP_CACHE_SLOTS blocks and SNAP_CACHE_BYTES in all (a block is reused only
 * for a copy of at least half its size). DllCanUnloadNow frees the spares whenever it is asked, and
 * empties the cache when no object is left; a real unload frees both (snapshot_unload). */
#define SNAP_INLINE_MAX   (64 * 1024)
#define SNAP_BLOCK_ROUND  (64 * 1024)
#define SNAP_CACHE_SLOTS  4
#define SNAP_CACHE_BYTES  ((SIZE_T)(sizeof(void *) == 4 ? 64 : 256) << 20)

static SRWLOCK cache_lock = SRWLOCK_INIT;
static struct { BYTE *mem; SIZE_T size; } cache[SNAP_CACHE_SLOTS];
static SIZE_T cache_bytes;   /* guarded by cache_lock, as cache[] */

/* A block of at least need bytes (need <= SR_MAX_COUNT, so the rounding cannot overflow). */
static BYTE *block_get(SIZE_T need, SIZE_T *size)
{
    SIZE_T want = (need + SNAP_BLOCK_ROUND - 1) & ~(SIZE_T)(SNAP_BLOCK_ROUND - 1);
    BYTE *mem = NULL;
    int i, best = -1;

    AcquireSRWLockExclusive(&cache_lock);
    for (i = 0; i < SNAP_CACHE_SLOTS; i++)
        if (cache[i].mem && cache[i].size >= want && cache[i].size / 2 <= want
            && (best < 0 || cache[i].size < cache[best].size))
            best = i;
    if (best >= 0)
    {
        mem = cache[best].mem;
        want = cache[best].size;
        cache[best].mem = NULL;
        cache_bytes -= want;
    }
    ReleaseSRWLockExclusive(&cache_lock);
    if (!mem) mem = VirtualAlloc(NULL, want, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    *size = want;
    return mem;
}

static void block_put(BYTE *mem, SIZE_T size)
{
    int i;

    AcquireSRWLockExclusive(&cache_lock);
    for (i = 0; i < SNAP_CACHE_SLOTS && size <= SNAP_CACHE_BYTES - cache_bytes; i++)
        if (!cache[i].mem)
        {
            cache[i].mem = mem;
            cache[i].size = size;
            cache_bytes += size;
            mem = NULL;
            break;
        }
    ReleaseSRWLockExclusive(&cache_lock);
    if (mem) VirtualFree(mem, 0, MEM_RELEASE);
}

/* ---- the object ---- */

/* snapshot_new sets each member by name: a member added here is set there too. */
struct snapshot
{
    ISharedSnapshot ISharedSnapshot_iface;
    ISharedViewMemory ISharedViewMemory_iface;
    ISupportErrorInfo ISupportErrorInfo_iface;
    LONG ref;
    IUnknown *ftm;           /* the free-threaded marshaler, made on the first QueryInterface for IMarshal */
    struct sr_span span;     /* SPAN_SNAPSHOT over the copy */
    BYTE *block;             /* the copy's block from block_get; NULL: the copy follows the struct */
    SIZE_T block_size;
    SIZE_T capacity;         /* bytes of copy the object's own heap block holds (0 with a block) */
    SIZE_T room;             /* characters of guard string it holds, the NUL included */
    ULONGLONG offset;        /* where it was taken; its size is span.size */
    const WCHAR *guard;      /* the guard string, kept in the object's own heap block after the struct */
    VARIANT version;         /* VT_EMPTY, VT_R8 or VT_DECIMAL: nothing to free */
    LONG retries;
    BOOL abandoned;
};

/* The struct and room for a guard string of room characters (its NUL included), rounded so that a
 * copy after them is aligned for any counter a guard reads. */
#define SNAP_HEADER(room) ((sizeof(struct snapshot) + (room) * sizeof(WCHAR) + 15) & ~(SIZE_T)15)
/* Every guard that names its offsets without leading zeros fits: "pair:" and two offsets of at most
 * 16 digits each, a comma and ":T" make 40 characters. */
#define SNAP_GUARD_ROOM 48

static inline struct snapshot *impl_from_ISharedSnapshot(ISharedSnapshot *iface)
{
    return CONTAINING_RECORD(iface, struct snapshot, ISharedSnapshot_iface);
}

/* ---- spare objects ----
 *
 * A reader polls: it takes a snapshot of the same frame again and again, and lets each go before
 * (or just after) it takes the next. A HeapAlloc and a HeapFree per snapshot cost under Wine about
 * as much as copying 2 KiB, so when the last reference to an object whose copy is in its own heap
 * block goes, the block is kept as a spare: in the slot of its size class, one slot per power of
 * two (class k: copies of 2^k to 2^(k+1) - 1 bytes; class 0 also holds 0). A block's copy holds
 * the most its class does (class_capacity), so any copy of the class fits in any spare of it: a
 * reader that alternates two frames of one class allocates nothing either, and a live snapshot's
 * block holds less than twice its copy. A snapshot takes the spare of its count's class with one
 * interlocked exchange. Only a block with the usual guard room (SNAP_GUARD_ROOM) is kept: one made
 * for a longer guard string (leading zeros) goes back to the heap. So the slots hold at most one
 * block per class, under 256 KiB of copies in all (SNAP_INLINE_MAX is 2^16).
 *
 * A spare keeps the module reference of the object it was, so that taking and leaving one costs no
 * change of the module count: two interlocked operations fewer per snapshot. It holds nothing else
 * (no marshaler, no handle). DllCanUnloadNow frees the spares, and drops their references, before it
 * reads the count (snapshot_spares_free): a spare never keeps the DLL loaded past that question, and
 * a snapshot that becomes a spare after it keeps the DLL loaded as the object did, until it is asked
 * again. */
#define SNAP_CLASSES 17
static struct snapshot *spares[SNAP_CLASSES];

static UINT size_class(SIZE_T n)
{
    UINT k = n ? (UINT)(sizeof(unsigned long long) * 8 - 1 - __builtin_clzll(n)) : 0;
    return k < SNAP_CLASSES ? k : SNAP_CLASSES - 1;
}

/* The copy a block of n's class holds: the class's largest, at most SNAP_INLINE_MAX. */
static SIZE_T class_capacity(SIZE_T n)
{
    SIZE_T top = ((SIZE_T)2 << size_class(n)) - 1;
    return top < SNAP_INLINE_MAX ? top : SNAP_INLINE_MAX;
}

/* The block back to its slot with its module reference, or to the heap when the slot holds one
 * already. */
static void spare_put(struct snapshot *This)
{
    if (InterlockedCompareExchangePointer((void **)&spares[size_class(This->capacity)], This, NULL))
    {
        HeapFree(GetProcessHeap(), 0, This);
        module_release();
    }
}

/* The spare of count's class (its copy holds count bytes), when the guard string and its NUL fit
 * in its room; else NULL. */
static struct snapshot *spare_take(SIZE_T count, SIZE_T len)
{
    if (len >= SNAP_GUARD_ROOM) return NULL;
    return InterlockedExchangePointer((void **)&spares[size_class(count)], NULL);
}

void snapshot_spares_free(void)
{
    struct snapshot *This;
    int i;

    for (i = 0; i < SNAP_CLASSES; i++)
        if ((This = InterlockedExchangePointer((void **)&spares[i], NULL)))
        {
            HeapFree(GetProcessHeap(), 0, This);
            module_release();
        }
}

/* A real unload (DllMain, under the loader lock): the spares and the cached blocks go back, with
 * no lock taken and no module count changed. No thread can be in this DLL now: FreeLibrary of a DLL
 * whose code another thread runs would end that thread's world anyway. */
void snapshot_unload(void)
{
    int i;

    for (i = 0; i < SNAP_CLASSES; i++)
        HeapFree(GetProcessHeap(), 0, InterlockedExchangePointer((void **)&spares[i], NULL));
    for (i = 0; i < SNAP_CACHE_SLOTS; i++)
        if (cache[i].mem) VirtualFree(cache[i].mem, 0, MEM_RELEASE);
}

void snapshot_cache_free(void)
{
    BYTE *mem[SNAP_CACHE_SLOTS];
    int i;

    AcquireSRWLockExclusive(&cache_lock);
    for (i = 0; i < SNAP_CACHE_SLOTS; i++)
    {
        mem[i] = cache[i].mem;
        cache[i].mem = NULL;
    }
    cache_bytes = 0;
    ReleaseSRWLockExclusive(&cache_lock);
    for (i = 0; i < SNAP_CACHE_SLOTS; i++)
        if (mem[i]) VirtualFree(mem[i], 0, MEM_RELEASE);
}

/* ---- the object's interfaces ---- */

static inline struct snapshot *impl_from_ISharedViewMemory(ISharedViewMemory *iface)
{
    return CONTAINING_RECORD(iface, struct snapshot, ISharedViewMemory_iface);
}

static inline struct snapshot *impl_from_ISupportErrorInfo(ISupportErrorInfo *iface)
{
    return CONTAINING_RECORD(iface, struct snapshot, ISupportErrorInfo_iface);
}

static HRESULT WINAPI snapshot_QueryInterface(ISharedSnapshot *iface, REFIID riid, void **out)
{
    struct snapshot *This = impl_from_ISharedSnapshot(iface);
    IUnknown *ftm;
    HRESULT hr;

    if (!out) return E_POINTER;
    *out = NULL;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch) || IsEqualIID(riid, &IID_ISharedData)
        || IsEqualIID(riid, &IID_ISharedSnapshot))
        *out = &This->ISharedSnapshot_iface;
    else if (IsEqualIID(riid, &IID_ISharedViewMemory))
        *out = &This->ISharedViewMemory_iface;
    else if (IsEqualIID(riid, &IID_ISupportErrorInfo))
        *out = &This->ISupportErrorInfo_iface;
    else if (IsEqualIID(riid, &IID_IMarshal))
    {
        /* Plain memory that never changes is agile. The marshaler is made when an apartment first asks
         * for it, not for every snapshot: most snapshots never leave the thread that took them. */
        if (!(ftm = InterlockedCompareExchangePointer((void **)&This->ftm, NULL, NULL)))
        {
            if (FAILED(hr = CoCreateFreeThreadedMarshaler((IUnknown *)&This->ISharedSnapshot_iface, &ftm))) return hr;
            if (InterlockedCompareExchangePointer((void **)&This->ftm, ftm, NULL))
            {
                IUnknown_Release(ftm); /* another thread made it first */
                ftm = This->ftm;
            }
        }
        return IUnknown_QueryInterface(ftm, riid, out);
    }
    else
        return E_NOINTERFACE;
    IUnknown_AddRef((IUnknown *)*out);
    return S_OK;
}

static ULONG WINAPI snapshot_AddRef(ISharedSnapshot *iface)
{
    struct snapshot *This = impl_from_ISharedSnapshot(iface);
    ULONG ref = InterlockedIncrement(&This->ref);
    TRACE("%p ref %lu", This, ref);
    return ref;
}

static ULONG WINAPI snapshot_Release(ISharedSnapshot *iface)
{
    struct snapshot *This = impl_from_ISharedSnapshot(iface);
    ULONG ref = InterlockedDecrement(&This->ref);

    TRACE("%p ref %lu", This, ref);
    if (!ref)
    {
        if (This->ftm) IUnknown_Release(This->ftm);
        if (!This->block && This->room == SNAP_GUARD_ROOM)
        {
            spare_put(This); /* with its module reference */
            return 0;
        }
        if (This->block) block_put(This->block, This->block_size);
        HeapFree(GetProcessHeap(), 0, This);
        module_release();
    }
    return ref;
}

static HRESULT WINAPI snapshot_GetTypeInfoCount(ISharedSnapshot *iface, UINT *count)
{
    return disp_get_type_info_count(count);
}

static HRESULT WINAPI snapshot_GetTypeInfo(ISharedSnapshot *iface, UINT index, LCID lcid, ITypeInfo **ti)
{
    return disp_get_type_info(ISharedSnapshot_tid, index, ti);
}

static HRESULT WINAPI snapshot_GetIDsOfNames(ISharedSnapshot *iface, REFIID riid, LPOLESTR *names, UINT count,
                                             LCID lcid, DISPID *ids)
{
    if (!IsEqualIID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    return get_ids_of_names(ISharedSnapshot_tid, names, count, ids);
}

static HRESULT WINAPI snapshot_Invoke(ISharedSnapshot *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                      DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *argerr)
{
    if (!IsEqualIID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    return disp_invoke(ISharedSnapshot_tid, &IID_ISharedSnapshot, iface, &impl_from_ISharedSnapshot(iface)->span,
                       id, flags, params, result, excep, argerr);
}

/* The data members (ISharedData): one implementation each in data.c, on the snapshot's span. */
static inline struct sr_span *snapshot_span(ISharedSnapshot *iface)
{
    return &impl_from_ISharedSnapshot(iface)->span;
}
#define SNAPSHOT_DATA(name, func, params, args) \
    SR_DATA_ENTRY(snapshot, ISharedSnapshot, snapshot_span, name, func, params, args)
SR_DATA_MEMBERS(SNAPSHOT_DATA)

/* A NULL result pointer from C: E_POINTER, with a description like every other failure. */
static HRESULT null_result(const WCHAR *property)
{
    return sr_error(E_POINTER, &IID_ISharedSnapshot, L"%ls: the result pointer is NULL", property);
}

/* Every property is fixed when the snapshot is made: no lock is needed to read one. */
static HRESULT WINAPI snapshot_get_Offset(ISharedSnapshot *iface, double *offset)
{
    if (!offset) return null_result(L"Offset");
    *offset = (double)impl_from_ISharedSnapshot(iface)->offset;
    return S_OK;
}

static HRESULT WINAPI snapshot_get_Size(ISharedSnapshot *iface, double *size)
{
    if (!size) return null_result(L"Size");
    *size = (double)impl_from_ISharedSnapshot(iface)->span.size;
    return S_OK;
}

static HRESULT WINAPI snapshot_get_Guard(ISharedSnapshot *iface, BSTR *guard)
{
    if (!guard) return null_result(L"Guard");
    if (!(*guard = SysAllocString(impl_from_ISharedSnapshot(iface)->guard)))
        return sr_error(E_OUTOFMEMORY, &IID_ISharedSnapshot, L"Guard: out of memory");
    return S_OK;
}

static HRESULT WINAPI snapshot_get_Version(ISharedSnapshot *iface, VARIANT *version)
{
    if (!version) return null_result(L"Version");
    VariantInit(version);
    return VariantCopy(version, &impl_from_ISharedSnapshot(iface)->version);
}

static HRESULT WINAPI snapshot_get_Retries(ISharedSnapshot *iface, LONG *retries)
{
    if (!retries) return null_result(L"Retries");
    *retries = impl_from_ISharedSnapshot(iface)->retries;
    return S_OK;
}

static HRESULT WINAPI snapshot_get_Abandoned(ISharedSnapshot *iface, VARIANT_BOOL *abandoned)
{
    if (!abandoned) return null_result(L"Abandoned");
    *abandoned = impl_from_ISharedSnapshot(iface)->abandoned ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

#define SNAPSHOT_SLOT(name, func, params, args) SR_DATA_SLOT(snapshot, name)
static const ISharedSnapshotVtbl snapshot_vtbl =
{
    .QueryInterface = snapshot_QueryInterface,
    .AddRef = snapshot_AddRef,
    .Release = snapshot_Release,
    .GetTypeInfoCount = snapshot_GetTypeInfoCount,
    .GetTypeInfo = snapshot_GetTypeInfo,
    .GetIDsOfNames = snapshot_GetIDsOfNames,
    .Invoke = snapshot_Invoke,
    SR_DATA_MEMBERS(SNAPSHOT_SLOT)
    .get_Offset = snapshot_get_Offset,
    .get_Size = snapshot_get_Size,
    .get_Guard = snapshot_get_Guard,
    .get_Version = snapshot_get_Version,
    .get_Retries = snapshot_get_Retries,
    .get_Abandoned = snapshot_get_Abandoned,
};

/* ---- ISharedViewMemory: the copy itself, for in-process C/C++, valid until the snapshot goes ---- */

static HRESULT WINAPI snapmem_QueryInterface(ISharedViewMemory *iface, REFIID riid, void **out)
{
    return snapshot_QueryInterface(&impl_from_ISharedViewMemory(iface)->ISharedSnapshot_iface, riid, out);
}

static ULONG WINAPI snapmem_AddRef(ISharedViewMemory *iface)
{
    return snapshot_AddRef(&impl_from_ISharedViewMemory(iface)->ISharedSnapshot_iface);
}

static ULONG WINAPI snapmem_Release(ISharedViewMemory *iface)
{
    return snapshot_Release(&impl_from_ISharedViewMemory(iface)->ISharedSnapshot_iface);
}

static HRESULT WINAPI snapmem_GetAddress(ISharedViewMemory *iface, void **address, SIZE_T *size)
{
    struct snapshot *This = impl_from_ISharedViewMemory(iface);

    if (!address || !size)
    {
        if (address) *address = NULL;
        if (size) *size = 0;
        return sr_error(E_POINTER, &IID_ISharedSnapshot, L"GetAddress: address and size must not be NULL");
    }
    *address = This->span.copy;
    *size = (SIZE_T)This->span.size;
    return S_OK;
}

static const ISharedViewMemoryVtbl snapmem_vtbl =
{
    snapmem_QueryInterface,
    snapmem_AddRef,
    snapmem_Release,
    snapmem_GetAddress,
};

/* ---- ISupportErrorInfo ---- */

static HRESULT WINAPI snapshot_sei_QueryInterface(ISupportErrorInfo *iface, REFIID riid, void **out)
{
    return snapshot_QueryInterface(&impl_from_ISupportErrorInfo(iface)->ISharedSnapshot_iface, riid, out);
}

static ULONG WINAPI snapshot_sei_AddRef(ISupportErrorInfo *iface)
{
    return snapshot_AddRef(&impl_from_ISupportErrorInfo(iface)->ISharedSnapshot_iface);
}

static ULONG WINAPI snapshot_sei_Release(ISupportErrorInfo *iface)
{
    return snapshot_Release(&impl_from_ISupportErrorInfo(iface)->ISharedSnapshot_iface);
}

static HRESULT WINAPI snapshot_sei_InterfaceSupportsErrorInfo(ISupportErrorInfo *iface, REFIID riid)
{
    return IsEqualIID(riid, &IID_ISharedSnapshot) || IsEqualIID(riid, &IID_ISharedData)
           || IsEqualIID(riid, &IID_ISharedViewMemory) ? S_OK : S_FALSE;
}

static const ISupportErrorInfoVtbl snapshot_sei_vtbl =
{
    snapshot_sei_QueryInterface,
    snapshot_sei_AddRef,
    snapshot_sei_Release,
    snapshot_sei_InterfaceSupportsErrorInfo,
};

/* A new snapshot object with room for count bytes (count <= SR_MAX_COUNT) and a copy of the guard
 * string, ref 1, counted in the module count; errors are reported against the object Snapshot was
 * called on. The guard string and a copy of up to SNAP_INLINE_MAX bytes share the struct's heap
 * block, a spare one when one fits: no allocation at all for a reader that polls. */
static HRESULT snapshot_new(struct sr_span *s, ULONGLONG count, const WCHAR *guard, SIZE_T len,
                            struct snapshot **out)
{
    SIZE_T room = len < SNAP_GUARD_ROOM ? SNAP_GUARD_ROOM : len + 1;
    BOOL inline_copy = count <= SNAP_INLINE_MAX;
    SIZE_T capacity = inline_copy ? class_capacity((SIZE_T)count) : 0;
    struct snapshot *This = inline_copy ? spare_take((SIZE_T)count, len) : NULL;
    BYTE *copy;

    *out = NULL;
    if (This) /* a spare, with its module reference */
    {
        room = This->room;
        capacity = This->capacity;
    }
    else if (!(This = HeapAlloc(GetProcessHeap(), 0, SNAP_HEADER(room) + capacity)))
        return sr_error(E_OUTOFMEMORY, span_iid(s), L"Snapshot: out of memory");
    else module_addref();
    /* Every member by name, with no memset (span_init_copy says why); a member added to struct
     * snapshot is set here too. */
    This->ISharedSnapshot_iface.lpVtbl = &snapshot_vtbl;
    This->ISharedViewMemory_iface.lpVtbl = &snapmem_vtbl;
    This->ISupportErrorInfo_iface.lpVtbl = &snapshot_sei_vtbl;
    This->ref = 1;
    This->ftm = NULL;
    This->block = NULL;
    This->block_size = 0;
    This->capacity = capacity;
    This->room = room;
    This->offset = 0;
    This->guard = memcpy(This + 1, guard, (len + 1) * sizeof(WCHAR));
    V_VT(&This->version) = VT_EMPTY;
    This->retries = 0;
    This->abandoned = FALSE;
    if (inline_copy) copy = (BYTE *)This + SNAP_HEADER(room);
    else if (!(copy = This->block = block_get((SIZE_T)count, &This->block_size)))
    {
        HeapFree(GetProcessHeap(), 0, This);
        module_release();
        return sr_error(E_OUTOFMEMORY, span_iid(s), L"Snapshot: out of memory for %I64u bytes", count);
    }
    span_init_copy(&This->span, copy, count);
    *out = This;
    return S_OK;
}

/* ---- guards ---- */

enum guard_kind { GUARD_NONE, GUARD_LOCK, GUARD_SEQ, GUARD_PAIR, GUARD_TICK };

struct guard
{
    enum guard_kind kind;
    const WCHAR *text;       /* as the caller gave it */
    SIZE_T len;              /* its length */
    ULONGLONG at[2];         /* the counters' offsets: seq's and tick's one, pair's begin and end */
    UINT count;              /* how many counters: 0, 1 or 2 */
    SIZE_T width;            /* bytes per counter */
    BOOL is_signed;          /* i, q */
};

static const WCHAR guard_forms[] =
    L"\"\" (none), \"lock\", \"seq:OFF[:T]\", \"pair:BEGIN,END[:T]\" or \"tick:OFF[:T]\", where OFF, BEGIN and END "
    L"are byte offsets and T is the counter's type: I (UInt32, the default), H (UInt16), Q (UInt64), i (Int32) "
    L"or q (Int64)";

/* A byte offset in a guard: decimal digits, or 0x and hex digits; at most 2^53. */
static BOOL parse_offset(const WCHAR **p, ULONGLONG *out)
{
    const WCHAR *s = *p;
    ULONGLONG v = 0;
    unsigned int base = 10, digits = 0, d;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    {
        base = 16;
        s += 2;
    }
    for (;; s++, digits++)
    {
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else break;
        if (v > ((ULONGLONG)SR_MAX_EXACT - d) / base) return FALSE;
        v = v * base + d;
    }
    if (!digits) return FALSE;
    *p = s;
    *out = v;
    return TRUE;
}

/* Whether text starts with word (lower-case ASCII), compared without case. The guard's words are
 * ASCII, and the C runtime's locale-aware _wcsnicmp costs a small snapshot more than its copy. */
static inline BOOL starts_with(const WCHAR *text, const WCHAR *word)
{
    for (; *word; text++, word++)
        if ((*text >= 'A' && *text <= 'Z' ? *text + ('a' - 'A') : *text) != *word) return FALSE;
    return TRUE;
}

/* The guard string, parsed: its form, and each counter's alignment. Nothing is read; the counters'
 * bounds are guard_bounds's. */
static HRESULT guard_parse(struct sr_span *s, const WCHAR *text, struct guard *g)
{
    static const struct { const WCHAR *prefix; SIZE_T len; enum guard_kind kind; UINT count; } kinds[] =
    {
        { L"seq:", 4, GUARD_SEQ, 1 }, { L"pair:", 5, GUARD_PAIR, 2 }, { L"tick:", 5, GUARD_TICK, 1 },
    };
    static const struct { WCHAR code; SIZE_T width; BOOL is_signed; } types[] =
    {
        { 'I', 4, FALSE }, { 'H', 2, FALSE }, { 'Q', 8, FALSE }, { 'i', 4, TRUE }, { 'q', 8, TRUE },
    };
    const WCHAR *p = NULL;
    UINT i;

    memset(g, 0, sizeof(*g));
    g->text = text ? text : L"";
    g->width = 4;
    if (!g->text[0]) return S_OK;
    if (starts_with(g->text, L"lock") && !g->text[4])
    {
        g->kind = GUARD_LOCK;
        g->len = 4;
        return S_OK;
    }
    for (i = 0; i < ARRAY_SIZE(kinds) && !p; i++)
        if (starts_with(g->text, kinds[i].prefix))
        {
            g->kind = kinds[i].kind;
            g->count = kinds[i].count;
            p = g->text + kinds[i].len;
        }
    if (!p) goto bad;
    for (i = 0; i < g->count; i++)
        if ((i && *p++ != ',') || !parse_offset(&p, &g->at[i])) goto bad;
    if (*p == ':')
    {
        for (i = 0; i < ARRAY_SIZE(types) && types[i].code != p[1]; i++) ;
        if (i == ARRAY_SIZE(types)) goto bad; /* a NUL after the colon matches no code */
        g->width = types[i].width;
        g->is_signed = types[i].is_signed;
        p += 2;
    }
    if (*p) goto bad;
    g->len = p - g->text;

    if (g->count == 2 && g->at[0] == g->at[1])
        return sr_error(E_INVALIDARG, span_iid(s), L"Snapshot: guard \"%.60ls\" names one counter as both BEGIN and END; "
                        L"a version pair is two counters", g->text);
    for (i = 0; i < g->count; i++)
        if (g->at[i] % g->width)
            return sr_error(E_INVALIDARG, span_iid(s), L"Snapshot: guard \"%.60ls\" puts a counter of %Iu bytes at offset "
                            L"%I64u, which is not a multiple of %Iu (a counter is read in one atomic load, so it must "
                            L"be aligned to its size)", g->text, g->width, g->at[i], g->width);
    return S_OK;

bad:
    return sr_error(E_INVALIDARG, span_iid(s), L"Snapshot: guard \"%.60ls\" is not one of %ls", g->text, guard_forms);
}

/* Each counter inside a span of size bytes. */
static HRESULT guard_bounds(struct sr_span *s, const struct guard *g, ULONGLONG size)
{
    UINT i;

    for (i = 0; i < g->count; i++)
        if (g->at[i] > size || g->width > size - g->at[i])
            return sr_error(E_INVALIDARG, span_iid(s), L"Snapshot: guard \"%.60ls\" puts a counter of %Iu bytes at offset "
                            L"%I64u, past the end of the %ls (%I64u bytes)", g->text, g->width, g->at[i],
                            span_noun(s), size);
    return S_OK;
}

/* One try at a consistent copy: the counters, then, when they show no write in progress, the copy,
 * an acquire fence and the counters again. It is written once, and runs one of two ways:
 *   - held (attempt_held): under one hold of the span's lock (span_hold) and inside one fault guard
 *     over the frame and its counters (span_held_run), reading the memory directly. This is the way
 *     whenever the frame and the counters are in the memory mapped now;
 *   - through span_io, each read holding the lock by itself: where a sliding window has to move, or
 *     a counter is not aligned in memory (span_io says so in its own words). */
struct attempt
{
    struct sr_span *s;
    const struct guard *g;
    ULONGLONG offset, count;
    BYTE *copy;
    ULONGLONG base, end;     /* the range a try reads: the frame and its counters */
    const BYTE *mem;         /* held: the memory of span offset base; NULL: read through span_io */
    HRESULT hr;              /* through span_io: its failure */
    BOOL copied;             /* the copy was taken; before and after are the counters around it */
    ULONGLONG before[2], after[2];
};

/* The guard's counters now, in order (pair: begin, then end), each sign-extended for i and q. */
static inline BOOL guard_read(struct attempt *a, ULONGLONG *values)
{
    const struct guard *g = a->g;
    UINT i;

    for (i = 0; i < g->count; i++)
    {
        values[i] = 0; /* little-endian: the load fills the low bytes */
        if (a->mem) guard_atomic_load(&values[i], a->mem + (g->at[i] - a->base), g->width);
        else if (FAILED(a->hr = span_io(a->s, L"Snapshot", SPAN_LOAD, g->at[i], g->width, &values[i], 0))) return FALSE;
        if (g->is_signed && g->width == 4) values[i] = (ULONGLONG)(LONGLONG)(LONG)(ULONG)values[i];
    }
    return TRUE;
}

/* The try itself (held: guard_run calls it with the memory; else mem is NULL). */
static void attempt_run(void *context, const BYTE *mem)
{
    struct attempt *a = context;
    const struct guard *g = a->g;

    a->mem = mem;
    a->copied = FALSE;
    if (!guard_read(a, a->before)) return;
    if (g->kind == GUARD_SEQ ? (a->before[0] & 1) != 0 : g->kind == GUARD_PAIR && a->before[0] != a->before[1])
        return;
    if (mem) memcpy(a->copy, mem + (a->offset - a->base), (SIZE_T)a->count);
    else if (FAILED(a->hr = span_io(a->s, L"Snapshot", SPAN_READ, a->offset, a->count, a->copy, 0))) return;
    /* The copy's loads are done before the counters are read again (a sequence lock's read fence). */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (!guard_read(a, a->after)) return;
    a->copied = TRUE;
}

/* span_hold's fn: the counters' bounds (the span may have been bound again since the last try, at
 * another size), then the try in one guard over everything it reads. S_FALSE: not that way. */
static HRESULT attempt_held(struct sr_span *s, void *context)
{
    struct attempt *a = context;
    const struct guard *g = a->g;
    const BYTE *mem;
    HRESULT hr;
    UINT i;

    /* span_hold checked the frame: past the end of the span now, only a counter can be. */
    if (a->end > span_held_size(s)) return guard_bounds(s, g, span_held_size(s));
    if (!(mem = span_held_memory(s, a->base, a->end - a->base))) return S_FALSE;
    for (i = 0; i < g->count; i++)
        if ((ULONG_PTR)(mem + (g->at[i] - a->base)) & (g->width - 1)) return S_FALSE;
    hr = span_held_run(s, L"Snapshot", mem, a->end - a->base, attempt_run, a);
    a->mem = NULL;
    return hr;
}

/* One try, held when it can be. */
static HRESULT attempt_once(struct attempt *a)
{
    HRESULT hr = span_hold(a->s, L"Snapshot", a->offset, a->count, attempt_held, a);

    if (hr != S_FALSE) return hr;
    if (FAILED(hr = span_check(a->s, L"Snapshot", a->offset, a->count))
        || FAILED(hr = guard_bounds(a->s, a->g, span_size(a->s))))
        return hr;
    a->hr = S_OK;
    attempt_run(a, NULL);
    return a->hr;
}

static const WCHAR *counter_text(const struct guard *g, ULONGLONG v, WCHAR *buf, size_t n)
{
    if (g->is_signed) __mingw_snwprintf(buf, n, L"%I64d", (LONGLONG)v);
    else __mingw_snwprintf(buf, n, L"%I64u", v);
    return buf;
}

/* SR_E_TORN: what was seen, in the guard's own words. copies: copies taken (all torn). */
static HRESULT torn_error(struct sr_span *s, const struct guard *g, ULONGLONG offset, ULONGLONG count, DWORD timeout,
                          const ULONGLONG *before, const ULONGLONG *after, LONG copies)
{
    WCHAR what[256], b0[24], b1[24], a0[24], a1[24];

    if (!copies && g->kind == GUARD_SEQ)
        __mingw_snwprintf(what, ARRAY_SIZE(what), L"the counter was odd (last %ls: a write in progress) every time it "
                          L"was read, so no copy was tried", counter_text(g, before[0], b0, 24));
    else if (!copies)
        __mingw_snwprintf(what, ARRAY_SIZE(what), L"begin and end differed (last %ls and %ls: a write in progress) "
                          L"every time they were read, so no copy was tried", counter_text(g, before[0], b0, 24),
                          counter_text(g, before[1], b1, 24));
    else if (g->kind == GUARD_PAIR)
        __mingw_snwprintf(what, ARRAY_SIZE(what), L"%ld cop%ls tried and every one was torn (the last: begin and end "
                          L"%ls and %ls before the copy, %ls and %ls after it)", copies, copies == 1 ? L"y was" : L"ies were",
                          counter_text(g, before[0], b0, 24), counter_text(g, before[1], b1, 24),
                          counter_text(g, after[0], a0, 24), counter_text(g, after[1], a1, 24));
    else
        __mingw_snwprintf(what, ARRAY_SIZE(what), L"%ld cop%ls tried and every one was torn (the last: %ls %ls before "
                          L"the copy, %ls after it)", copies, copies == 1 ? L"y was" : L"ies were",
                          g->kind == GUARD_SEQ ? L"counter" : L"tick", counter_text(g, before[0], b0, 24),
                          counter_text(g, after[0], a0, 24));
    what[ARRAY_SIZE(what) - 1] = 0;
    return sr_error(SR_E_TORN, span_iid(s), L"Snapshot: no consistent frame of %I64u bytes at offset %I64u within %lu ms "
                    L"under guard \"%.60ls\": %ls", count, offset, timeout, g->text, what);
}

/* One step back after a failed try, longer each time: spin, then yield the processor, then wait. */
static void back_off(struct sr_pacer *pacer, UINT failures)
{
    UINT i;

    if (failures < 4)
        for (i = 0; i < (64u << failures); i++) YieldProcessor();
    else if (failures < 8)
        SwitchToThread();
    else
        pacer_wait(pacer);
}

/* No guard, seq, pair and tick: copy until a copy is consistent under the guard, or the time is up.
 * Each try holds the span's lock once (span_hold); where the memory is not mapped now, it reads
 * through span_io instead, which maps it. */
static HRESULT copy_guarded(struct sr_span *s, const struct guard *g, ULONGLONG offset, ULONGLONG count, BYTE *copy,
                            DWORD timeout, ULONGLONG *version, LONG *retries)
{
    struct attempt a = { s, g, offset, count, copy, offset, offset + count, NULL, S_OK, FALSE, { 0, 0 }, { 0, 0 } };
    /* A small copy's try takes microseconds: its clock starts when the first try fails, and a
     * consistent first copy never asks for the time. A large copy's first try counts. */
    ULONGLONG start = count > SNAP_INLINE_MAX ? GetTickCount64() : 0;
    struct sr_pacer pacer;
    LONG copies = 0;
    UINT failures = 0;
    HRESULT hr;
    UINT i;

    for (i = 0; i < g->count; i++)
    {
        if (g->at[i] < a.base) a.base = g->at[i];
        if (g->at[i] + g->width > a.end) a.end = g->at[i] + g->width;
    }
    pacer_init(&pacer);
    for (;;)
    {
        hr = attempt_once(&a);
        if (FAILED(hr)) break;
        if (a.copied)
        {
            copies++;
            if (a.after[0] == a.before[0] && a.after[1] == a.before[1])
            {
                *version = a.before[0];
                *retries = copies - 1;
                break;
            }
        }
        if (!failures && !start) start = GetTickCount64();
        if (timeout != INFINITE && GetTickCount64() - start >= timeout)
        {
            hr = torn_error(s, g, offset, count, timeout, a.before, a.after, copies);
            break;
        }
        back_off(&pacer, failures++);
    }
    pacer_done(&pacer);
    return hr;
}

/* "lock": the mutex of the span's mapping (the region's LockName; a view's is its region's), held
 * for one copy. A snapshot has no mutex and never changes: it is copied as it is. */
static HRESULT copy_locked(struct sr_span *s, ULONGLONG offset, ULONGLONG count, BYTE *copy, DWORD timeout,
                           BOOL *abandoned)
{
    static const WCHAR method[] = L"Snapshot";
    struct sr_mapping *map = NULL;
    struct sr_keeper *k = NULL;
    BSTR name = NULL;
    HANDLE h = NULL;
    BOOL held = FALSE;
    DWORD res, err;
    HRESULT hr;

    AcquireSRWLockShared(&s->lock);
    if (s->kind == SPAN_SNAPSHOT) hr = S_OK;
    else if (!s->map) hr = span_closed_error(s, method);
    else if (SUCCEEDED(hr = mapping_sync_object(s->map, method, NEED_LOCK, &h)))
    {
        map = s->map;
        mapping_addref(map); /* the mutex's handle stays open while it is waited for, even if the object closes */
    }
    ReleaseSRWLockShared(&s->lock);
    if (FAILED(hr)) goto done;
    if (!map)
    {
        hr = span_io(s, method, SPAN_READ, offset, count, copy, 0);
        goto done;
    }

    if (FAILED(hr = keeper_get(method, &k))) goto done;
    res = keeper_acquire(k, h, timeout, &err);
    if (res == WAIT_FAILED)
    {
        hr = sr_win32_error(err, span_iid(s), L"%ls: waiting for the region's lock failed", method);
        goto done;
    }
    if (res == WAIT_TIMEOUT)
    {
        mapping_get_sync_name(map, SYNC_LOCK, &name);
        hr = sr_error(HRESULT_FROM_WIN32(ERROR_TIMEOUT), span_iid(s), L"%ls: the region's lock (%ls%ls%ls) was not "
                      L"free within %lu ms, so no copy was taken", method, name && *name ? L"the mutex '" : L"its private mutex",
                      name && *name ? name : L"", name && *name ? L"'" : L"", timeout);
        goto done;
    }
    held = TRUE;
    *abandoned = res == WAIT_ABANDONED;
    hr = span_io(s, method, SPAN_READ, offset, count, copy, 0);

done:
    if (held && !keeper_release(k, h, &err) && SUCCEEDED(hr))
        hr = sr_win32_error(err, span_iid(s), L"%ls: cannot give the region's lock back", method);
    if (k) keeper_put(k);
    mapping_release(map);
    SysFreeString(name);
    return hr;
}

HRESULT snapshot_take(struct sr_span *s, ULONGLONG offset, ULONGLONG count, BSTR text, DWORD timeout,
                      ISharedSnapshot **out)
{
    static const WCHAR method[] = L"Snapshot";
    struct snapshot *This = NULL;
    ULONGLONG version = 0;
    struct guard g;
    HRESULT hr;

    *out = NULL;
    /* Refused in this order: a NUL in the guard, the object's state and the bounds, the guard, each
     * before any memory is taken or any lock waited for. A small copy with a good guard checks state
     * and bounds only in its try, under the same hold of the span's lock as its reads (one hold, not
     * three), and gives its object back if they refuse. The parse stops at a NUL: a guard whose
     * parsed length is not its length has one inside. */
    if (FAILED(hr = guard_parse(s, text, &g)) || g.len != SysStringLen(text))
    {
        HRESULT first = arg_no_nul(method, L"guard", text, span_iid(s));
        if (SUCCEEDED(first)) first = span_check(s, method, offset, count);
        if (FAILED(first)) hr = first; /* else the parse's refusal stands (a length apart means a NUL) */
        goto done;
    }
    if ((count > SNAP_INLINE_MAX || g.kind == GUARD_LOCK)
        && (FAILED(hr = span_check(s, method, offset, count)) || FAILED(hr = guard_bounds(s, &g, span_size(s)))))
        goto done;
    if (FAILED(hr = snapshot_new(s, count, g.text, g.len, &This))) goto done;
    if (g.kind == GUARD_LOCK) hr = copy_locked(s, offset, count, This->span.copy, timeout, &This->abandoned);
    else hr = copy_guarded(s, &g, offset, count, This->span.copy, timeout, &version, &This->retries);
    if (FAILED(hr)) goto done;
    This->offset = offset;
    if (g.count && g.is_signed) value_from_int64((LONGLONG)version, &This->version);
    else if (g.count && version <= (ULONGLONG)SR_MAX_EXACT)
    {
        V_VT(&This->version) = VT_R8; /* as value_from_uint64 makes it, without its VariantInit */
        V_R8(&This->version) = (double)version;
    }
    else if (g.count) value_from_uint64(version, &This->version);
    *out = &This->ISharedSnapshot_iface;
    This = NULL;

done:
    if (This) snapshot_Release(&This->ISharedSnapshot_iface);
    TRACE("(%I64u, %I64u, %ls) -> %#lx", offset, count, text ? text : L"", hr);
    return hr;
}
