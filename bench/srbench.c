/*
 * SharedRegion benchmarks. Every figure is a RATIO of two ways of doing the same work on the
 * same machine in the same run: the two sides are timed one after the other, in alternating
 * order, after one untimed warm-up of each, and the whole pair is repeated; the figure is the
 * median of the per-repetition ratios (the spread, min..max, goes in the detail column).
 *
 * Usage: srbench.exe MEASURE [-r REPS] [-f FILE]
 *   bulk      ReadBytes/WriteBytes (vtable) vs memcpy on a raw view of the same section
 *   zerocopy  ISharedViewMemory::GetAddress + memcpy vs memcpy on a raw view
 *   small     ReadInt32 (vtable) vs get_Access, the cheapest call the object has
 *   late      IDispatch::Invoke of ReadInt32 vs Invoke of Scripting.Dictionary's Count
 *   naive     ReadBytes of 4 KiB vs open/map/copy/unmap/close under a named mutex per call
 *   pingpong  Signal/WaitSignal vs SetEvent/WaitForSingleObject between two processes
 *   scan      sequential ReadBytes of 1 MiB over a 16 GiB sparse file vs a MapViewOfFile loop
 *             (FILE: the sparse file to create and delete), and the most address space mapped
 *   scaling   ReadBytes/WriteBytes throughput with 2 threads on separate views vs 1 thread
 *   typed     ReadInto of 1 MiB into a reused Byte() vs memcpy on a raw view; ReadSingle vs ReadInt32
 * Output: one line per figure for bench/run: "ROW|id|measure|ratio|cmp|target|detail"
 * (cmp ">=", "<=" or "-" when the figure is reported without a target).
 * Nothing here asserts a time: the figures are reported, bench/run compares them to targets.
 */
#define COBJMACROS
#include <windows.h>
#include <winioctl.h>
#include <ole2.h>
#include <oleauto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "sharedregion.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define KIB ((ULONGLONG)1 << 10)
#define MIB ((ULONGLONG)1 << 20)
#define GIB ((ULONGLONG)1 << 30)
#define MAX_REPS 31

static int reps = 7;
static double qpc_freq;
static volatile LONG sink;   /* results go here so that no loop is optimized away */

static double now(void)
{
    LARGE_INTEGER c;
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart / qpc_freq;
}

/* ---- failing loudly: a benchmark that cannot do its work prints why and stops ---- */

static void die(const char *what, HRESULT hr)
{
    IErrorInfo *info = NULL;
    BSTR desc = NULL;

    if (GetErrorInfo(0, &info) == S_OK && info)
    {
        IErrorInfo_GetDescription(info, &desc);
        IErrorInfo_Release(info);
    }
    fprintf(stderr, "srbench: %s failed: hr %#lx%s%ls\n", what, (unsigned long)hr, desc ? ": " : "",
            desc ? desc : L"");
    SysFreeString(desc);
    exit(2);
}

#define CHECK(expr) do { HRESULT hr_ = (expr); if (FAILED(hr_)) die(#expr, hr_); } while (0)
#define CHECK_WIN32(ok, what) do { if (!(ok)) die(what, HRESULT_FROM_WIN32(GetLastError())); } while (0)

/* ---- statistics ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
    double s[MAX_REPS];
    memcpy(s, v, n * sizeof(*v));
    qsort(s, n, sizeof(*s), cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double min_of(const double *v, int n)
{
    double m = v[0];
    int i;
    for (i = 1; i < n; i++) if (v[i] < m) m = v[i];
    return m;
}

static double max_of(const double *v, int n)
{
    double m = v[0];
    int i;
    for (i = 1; i < n; i++) if (v[i] > m) m = v[i];
    return m;
}

/* One figure for bench/run. target < 0 (cmp "-"): reported without a target. */
static void row(const char *id, const char *measure, double ratio, const char *cmp, double target,
                const char *fmt, ...)
{
    char detail[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    printf("ROW|%s|%s|%.3f|%s|%g|%s\n", id, measure, ratio, cmp, target, detail);
    fflush(stdout);
}

/* Time side a and side b, warm-up first, then reps repetitions in alternating order. */
typedef double (*sample_fn)(void *ctx);

static void run_pair(sample_fn a, void *actx, sample_fn b, void *bctx, double *ta, double *tb)
{
    int i;

    a(actx);
    b(bctx);
    for (i = 0; i < reps; i++)
    {
        if (i % 2) { tb[i] = b(bctx); ta[i] = a(actx); }
        else       { ta[i] = a(actx); tb[i] = b(bctx); }
    }
}

/* ---- objects ---- */

static VARIANT missing(void)
{
    VARIANT v;
    V_VT(&v) = VT_ERROR;
    V_ERROR(&v) = DISP_E_PARAMNOTFOUND;
    return v;
}

static VARIANT vnum(double d)
{
    VARIANT v;
    V_VT(&v) = VT_R8;
    V_R8(&v) = d;
    return v;
}

static ISharedRegion *new_region(void)
{
    ISharedRegion *r = NULL;
    CHECK(CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&r));
    return r;
}

/* A page-file-backed region; name "" makes it anonymous. */
static ISharedRegion *create_region(const WCHAR *name, ULONGLONG size)
{
    ISharedRegion *r = new_region();
    BSTR b = SysAllocString(name);
    CHECK(ISharedRegion_Create(r, b, (double)size, missing()));
    SysFreeString(b);
    return r;
}

static const WCHAR *bench_name(const WCHAR *stem, WCHAR *buf, size_t len)
{
    swprintf(buf, len, L"srbench-%ls-%lu", stem, GetCurrentProcessId());
    return buf;
}

/* The same section, mapped by hand (what a program without SharedRegion does). */
static BYTE *map_raw(const WCHAR *name, ULONGLONG offset, ULONGLONG size, HANDLE *section)
{
    WCHAR full[300];
    BYTE *p;

    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    *section = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, full);
    CHECK_WIN32(*section, "OpenFileMapping");
    p = MapViewOfFile(*section, FILE_MAP_READ | FILE_MAP_WRITE, (DWORD)(offset >> 32), (DWORD)offset, (SIZE_T)size);
    CHECK_WIN32(p, "MapViewOfFile");
    return p;
}

static BYTE *alloc_buffer(ULONGLONG size)
{
    BYTE *p = VirtualAlloc(NULL, (SIZE_T)size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    CHECK_WIN32(p, "VirtualAlloc");
    memset(p, 0x5a, (SIZE_T)size);
    return p;
}

/* A Byte() holding n bytes (what a caller passes to WriteBytes). */
static VARIANT byte_array(const BYTE *bytes, ULONGLONG n)
{
    VARIANT v;
    void *p;

    V_VT(&v) = VT_ARRAY | VT_UI1;
    V_ARRAY(&v) = SafeArrayCreateVector(VT_UI1, 0, (ULONG)n);
    if (!V_ARRAY(&v)) die("SafeArrayCreateVector", E_OUTOFMEMORY);
    SafeArrayAccessData(V_ARRAY(&v), &p);
    memcpy(p, bytes, (size_t)n);
    SafeArrayUnaccessData(V_ARRAY(&v));
    return v;
}

static const char *size_text(ULONGLONG n, char *buf)
{
    if (n >= MIB) sprintf(buf, "%u MiB", (unsigned int)(n / MIB));
    else sprintf(buf, "%u KiB", (unsigned int)(n / KIB));
    return buf;
}

/* Bytes of address space in MEM_MAPPED allocations of this process, and how many allocations. */
static ULONGLONG mapped_bytes(unsigned int *count)
{
    MEMORY_BASIC_INFORMATION mbi;
    BYTE *p = NULL;
    void *last = NULL;
    ULONGLONG total = 0;
    unsigned int n = 0;

    while (VirtualQuery(p, &mbi, sizeof(mbi)) == sizeof(mbi))
    {
        if (mbi.Type == MEM_MAPPED && mbi.State != MEM_FREE)
        {
            total += mbi.RegionSize;
            if (mbi.AllocationBase != last) n++;
            last = mbi.AllocationBase;
        }
        p = (BYTE *)mbi.BaseAddress + mbi.RegionSize;
        if ((ULONG_PTR)p < (ULONG_PTR)mbi.BaseAddress) break;
    }
    if (count) *count = n;
    return total;
}

/* ==== 1. bulk copy ==== */

struct bulk
{
    ISharedRegion *region;
    BYTE *raw;               /* the region's section, mapped by hand */
    BYTE *buf;               /* the caller's buffer */
    VARIANT src;             /* Byte() of block bytes for WriteBytes */
    ULONGLONG span, block;
    ULONG calls;
};

static double bulk_sr_read(void *p)
{
    struct bulk *b = p;
    double t = now();
    ULONG i;
    for (i = 0; i < b->calls; i++)
    {
        VARIANT v;
        CHECK(ISharedRegion_ReadBytes(b->region, (double)((i * b->block) % b->span), (double)b->block, &v));
        VariantClear(&v);
    }
    return now() - t;
}

static double bulk_raw_read(void *p)
{
    struct bulk *b = p;
    double t = now();
    ULONG i;
    for (i = 0; i < b->calls; i++)
        memcpy(b->buf, b->raw + (i * b->block) % b->span, (size_t)b->block);
    sink += b->buf[b->block - 1];
    return now() - t;
}

static double bulk_sr_write(void *p)
{
    struct bulk *b = p;
    double t = now();
    ULONG i;
    for (i = 0; i < b->calls; i++)
        CHECK(ISharedRegion_WriteBytes(b->region, (double)((i * b->block) % b->span), b->src));
    return now() - t;
}

/* From the very bytes WriteBytes is given (the Byte()'s data), so both sides read the same memory. */
static double bulk_raw_write(void *p)
{
    struct bulk *b = p;
    const BYTE *src = V_ARRAY(&b->src)->pvData;
    double t = now();
    ULONG i;
    for (i = 0; i < b->calls; i++)
        memcpy(b->raw + (i * b->block) % b->span, src, (size_t)b->block);
    return now() - t;
}

/* The least any call that returns a new Byte() can cost: allocate the array, memcpy, destroy it. */
static double bulk_raw_read_fresh(void *p)
{
    struct bulk *b = p;
    double t = now();
    ULONG i;
    for (i = 0; i < b->calls; i++)
    {
        SAFEARRAY *sa = SafeArrayCreateVector(VT_UI1, 0, (ULONG)b->block);
        if (!sa) die("SafeArrayCreateVector", E_OUTOFMEMORY);
        memcpy(sa->pvData, b->raw + (i * b->block) % b->span, (size_t)b->block);
        SafeArrayDestroy(sa);
    }
    return now() - t;
}

/* What any call that returns a new Byte() pays: the array's allocation and release alone. */
static double bulk_alloc_only(void *p)
{
    struct bulk *b = p;
    double t = now();
    ULONG i;
    for (i = 0; i < b->calls; i++)
    {
        SAFEARRAY *sa = SafeArrayCreateVector(VT_UI1, 0, (ULONG)b->block);
        if (!sa) die("SafeArrayCreateVector", E_OUTOFMEMORY);
        SafeArrayDestroy(sa);
    }
    return now() - t;
}

static void bench_bulk(void)
{
    static const ULONGLONG sizes[] = { 4 * KIB, 64 * KIB, 1 * MIB, 4 * MIB, 16 * MIB, 64 * MIB };
    const ULONGLONG span = 64 * MIB, read_sample = 256 * MIB, write_sample = 512 * MIB;
    double ta[MAX_REPS] = { 0 }, tb[MAX_REPS] = { 0 }, ratio[MAX_REPS] = { 0 }, talloc[MAX_REPS] = { 0 };
    double tf[MAX_REPS] = { 0 }, tb2[MAX_REPS] = { 0 }, fresh[MAX_REPS] = { 0 };
    struct bulk b = { 0 };
    WCHAR name[64];
    HANDLE section;
    unsigned int s;
    int i;

    bench_name(L"bulk", name, ARRAY_SIZE(name));
    b.region = create_region(name, span);
    b.raw = map_raw(name, 0, span, &section);
    b.buf = alloc_buffer(span);
    b.span = span;
    memset(b.raw, 0xa5, (size_t)span);

    for (s = 0; s < ARRAY_SIZE(sizes); s++)
    {
        char id[16], what[160], sz[16];
        double mb;

        b.block = sizes[s];
        b.calls = (ULONG)(read_sample / b.block);
        b.src = byte_array(b.buf, b.block);
        mb = (double)(b.calls * b.block) / MIB;
        size_text(b.block, sz);

        run_pair(bulk_raw_read, &b, bulk_sr_read, &b, ta, tb);
        for (i = 0; i < reps; i++) ratio[i] = ta[i] / tb[i];
        /* Why: the same calls against a memcpy into a new array, and the new array alone. */
        run_pair(bulk_raw_read_fresh, &b, bulk_sr_read, &b, tf, tb2);
        bulk_alloc_only(&b);
        for (i = 0; i < reps; i++)
        {
            fresh[i] = tf[i] / tb2[i];
            talloc[i] = bulk_alloc_only(&b);
        }
        sprintf(id, "1r-%s", sz);
        sprintf(what, "Bulk copy: ReadBytes %s vs memcpy from a raw view (throughput)", sz);
        /* Reported, no target: ReadBytes must return a new array, whose page faults (the heap gives a block of
         * 1 MiB or more fresh pages every time) cost more than the copy; ReadInto (9i) is the fast bulk read. */
        row(id, what, median(ratio, reps), "-", -1,
            "ReadBytes %.0f MiB/s, memcpy %.0f MiB/s (%.2f..%.2f); the new Byte() of %s that each call returns "
            "costs %.1f us to create and destroy alone, %.0f%% of a ReadBytes call; against a memcpy into a new "
            "Byte() (create + memcpy + destroy) ReadBytes scores %.2f",
            mb / median(tb, reps), mb / median(ta, reps), min_of(ratio, reps), max_of(ratio, reps), sz,
            median(talloc, reps) / b.calls * 1e6, 100 * median(talloc, reps) / median(tb, reps), median(fresh, reps));

        b.calls = (ULONG)(write_sample / b.block);
        mb = (double)(b.calls * b.block) / MIB;
        run_pair(bulk_raw_write, &b, bulk_sr_write, &b, ta, tb);
        for (i = 0; i < reps; i++) ratio[i] = ta[i] / tb[i];
        sprintf(id, "1w-%s", sz);
        sprintf(what, "Bulk copy: WriteBytes %s vs memcpy to a raw view (throughput)", sz);
        row(id, what, median(ratio, reps), b.block >= MIB ? ">=" : "-", b.block >= MIB ? 0.7 : -1,
            "WriteBytes %.0f MiB/s, memcpy %.0f MiB/s (%.2f..%.2f)",
            mb / median(tb, reps), mb / median(ta, reps), min_of(ratio, reps), max_of(ratio, reps));
        VariantClear(&b.src);
    }
    UnmapViewOfFile(b.raw);
    CloseHandle(section);
    VirtualFree(b.buf, 0, MEM_RELEASE);
    ISharedRegion_Release(b.region);
}

/* ==== 2. zero-copy ==== */

struct zerocopy
{
    ISharedViewMemory *mem;
    BYTE *raw, *buf;
    ULONGLONG span, block;
    ULONG calls;
};

#define ZC_MAX_SLICES 1024

/* One repetition. The two sides take turns slice by slice (a slice is about 1 MiB of copying), so
 * that both run under the same conditions; in each slice they copy blocks half the span apart, so
 * that neither reads what the other has just brought into the cache. Each side copies calls blocks.
 * The repetition's ratio is the median of the per-slice ratios: a slice during which another
 * process had the core does not decide it. Returns that ratio; *t_raw and *t_sr get the totals. */
static double zc_interleaved(struct zerocopy *z, double *t_raw, double *t_sr)
{
    static double slice_ratio[ZC_MAX_SLICES];
    ULONG per_slice = z->block >= MIB ? 1 : (ULONG)(MIB / z->block), i, k, n = 0;
    double tr = 0, ts = 0, pair[2];

    for (i = 0; i < z->calls; i += per_slice)
    {
        ULONGLONG first = (i * z->block) % z->span;
        BOOL raw_first = (i / per_slice) % 2;
        int turn;

        for (turn = 0; turn < 2; turn++)
        {
            BOOL raw = (turn == 0) == raw_first;
            ULONGLONG base = turn == 0 ? first : (first + z->span / 2) % z->span;
            double t = now();
            for (k = 0; k < per_slice; k++)
            {
                ULONGLONG off = (base + k * z->block) % z->span;
                if (raw) memcpy(z->buf, z->raw + off, (size_t)z->block);
                else
                {
                    void *addr;
                    SIZE_T size;
                    CHECK(ISharedViewMemory_GetAddress(z->mem, &addr, &size));
                    memcpy(z->buf, (BYTE *)addr + off, (size_t)z->block);
                }
            }
            t = now() - t;
            pair[raw] = t;
            if (raw) tr += t;
            else ts += t;
        }
        if (n < ZC_MAX_SLICES) slice_ratio[n++] = pair[1] / pair[0];
    }
    sink += z->buf[0];
    *t_raw = tr;
    *t_sr = ts;
    qsort(slice_ratio, n, sizeof(*slice_ratio), cmp_double);
    return n % 2 ? slice_ratio[n / 2] : (slice_ratio[n / 2 - 1] + slice_ratio[n / 2]) / 2;
}

static void bench_zerocopy(void)
{
    static const ULONGLONG sizes[] = { 1 * MIB, 64 * KIB, 4 * KIB };
    const ULONGLONG span = 64 * MIB, per_sample = 1024 * MIB;
    double ta[MAX_REPS] = { 0 }, tb[MAX_REPS] = { 0 }, ratio[MAX_REPS] = { 0 }, warm[2];
    struct zerocopy z = { 0 };
    ISharedRegion *region;
    ISharedView *view;
    WCHAR name[64];
    HANDLE section;
    unsigned int s;
    int i;

    bench_name(L"zerocopy", name, ARRAY_SIZE(name));
    region = create_region(name, span);
    CHECK(ISharedRegion_MapView(region, 0, (double)span, missing(), &view));
    CHECK(ISharedView_QueryInterface(view, &IID_ISharedViewMemory, (void **)&z.mem));
    z.raw = map_raw(name, 0, span, &section);
    z.buf = alloc_buffer(span);
    z.span = span;
    memset(z.raw, 0x3c, (size_t)span);

    for (s = 0; s < ARRAY_SIZE(sizes); s++)
    {
        char id[16], what[160], sz[16];
        double mb;

        z.block = sizes[s];
        z.calls = (ULONG)(per_sample / z.block);
        mb = (double)per_sample / MIB;
        size_text(z.block, sz);
        zc_interleaved(&z, &warm[0], &warm[1]);
        for (i = 0; i < reps; i++) ratio[i] = zc_interleaved(&z, &ta[i], &tb[i]);
        sprintf(id, "2-%s", sz);
        sprintf(what, "Zero-copy: GetAddress + memcpy %s vs memcpy from a raw view (throughput)", sz);
        row(id, what, median(ratio, reps), s == 0 ? ">=" : "-", s == 0 ? 0.98 : -1,
            "%s%.0f MiB/s vs %.0f MiB/s (%.3f..%.3f)%s",
            s == 0 ? "" : "one GetAddress per small block, the worst case: ",
            mb / median(tb, reps), mb / median(ta, reps), min_of(ratio, reps), max_of(ratio, reps),
            s == 0 ? "; GetAddress called once per block; the sides take turns every 1 MiB and each repetition's "
                     "ratio is the median of its 1024 paired 1 MiB slices" : "");
    }
    UnmapViewOfFile(z.raw);
    CloseHandle(section);
    VirtualFree(z.buf, 0, MEM_RELEASE);
    ISharedViewMemory_Release(z.mem);
    ISharedView_Release(view);
    ISharedRegion_Release(region);
}

/* ==== 3. small access ==== */

struct small
{
    ISharedRegion *region;
    ULONG calls;
};

static double small_floor(void *p)
{
    struct small *m = p;
    RegionAccess acc;
    LONG total = 0;
    double t = now();
    ULONG i;
    for (i = 0; i < m->calls; i++)
    {
        ISharedRegion_get_Access(m->region, &acc);
        total += acc;
    }
    t = now() - t;
    sink += total;
    return t;
}

static double small_read(void *p)
{
    struct small *m = p;
    LONG v, total = 0;
    double t = now();
    ULONG i;
    for (i = 0; i < m->calls; i++)
    {
        ISharedRegion_ReadInt32(m->region, (double)((i & 255) * 4), &v);
        total += v;
    }
    t = now() - t;
    sink += total;
    return t;
}

/* The least a thread-safe data call adds to a call: one shared acquire and release of an SRW lock. */
static double small_lock(void *p)
{
    struct small *m = p;
    SRWLOCK lock = SRWLOCK_INIT;
    double t = now();
    ULONG i;
    for (i = 0; i < m->calls; i++)
    {
        AcquireSRWLockShared(&lock);
        ReleaseSRWLockShared(&lock);
    }
    return now() - t;
}

static void bench_small(void)
{
    double ta[MAX_REPS] = { 0 }, tb[MAX_REPS] = { 0 }, ratio[MAX_REPS] = { 0 };
    struct small m;
    int i;

    m.region = create_region(L"", 64 * KIB);
    m.calls = 2000000;
    CHECK(ISharedRegion_WriteInt32(m.region, 0, 7));
    run_pair(small_floor, &m, small_read, &m, ta, tb);
    for (i = 0; i < reps; i++) ratio[i] = tb[i] / ta[i];
    /* Reported, no target: a data call takes the span's lock (safety against a concurrent Close or Unmap) and
     * checks its offset; row 3l measures the lock alone. */
    row("3", "Small access: ReadInt32 vs get_Access, the cheapest vtable call (time per call)",
        median(ratio, reps), "-", -1, "ReadInt32 %.1f ns, get_Access %.1f ns per call (%.2f..%.2f)",
        median(tb, reps) / m.calls * 1e9, median(ta, reps) / m.calls * 1e9, min_of(ratio, reps), max_of(ratio, reps));
    run_pair(small_floor, &m, small_lock, &m, ta, tb);
    for (i = 0; i < reps; i++) ratio[i] = tb[i] / ta[i];
    row("3l", "Small access, why: one AcquireSRWLockShared + ReleaseSRWLockShared vs get_Access (time)",
        median(ratio, reps), "-", -1, "the lock pair alone %.1f ns, get_Access %.1f ns (%.2f..%.2f)",
        median(tb, reps) / m.calls * 1e9, median(ta, reps) / m.calls * 1e9, min_of(ratio, reps), max_of(ratio, reps));
    ISharedRegion_Release(m.region);
}

/* ==== 4. late binding from C ==== */

struct late
{
    IDispatch *disp;
    DISPID id;
    WORD flags;
    DISPPARAMS params;
    VARIANT arg;
    ULONG calls;
};

static double late_invoke(void *p)
{
    struct late *l = p;
    double t = now();
    ULONG i;
    for (i = 0; i < l->calls; i++)
    {
        VARIANT result;
        VariantInit(&result);
        CHECK(IDispatch_Invoke(l->disp, l->id, &IID_NULL, LOCALE_USER_DEFAULT, l->flags, &l->params, &result,
                               NULL, NULL));
        sink += V_VT(&result);
        VariantClear(&result);
    }
    return now() - t;
}

static void late_init(struct late *l, IDispatch *disp, const WCHAR *member, WORD flags, const VARIANT *arg,
                      ULONG calls)
{
    LPOLESTR name = (LPOLESTR)member;
    memset(l, 0, sizeof(*l));
    l->disp = disp;
    l->flags = flags;
    CHECK(IDispatch_GetIDsOfNames(disp, &IID_NULL, &name, 1, LOCALE_USER_DEFAULT, &l->id));
    if (arg)
    {
        l->arg = *arg;
        l->params.rgvarg = &l->arg;
        l->params.cArgs = 1;
    }
    l->calls = calls;
}

static ULONG late_sr_calls = 200000, late_dict_calls = 200000;

/* What a script engine does before every Invoke: look the member's name up. */
struct lookup
{
    IDispatch *disp;
    LPOLESTR name;
    ULONG calls;
};

static double lookup_names(void *p)
{
    struct lookup *l = p;
    double t = now();
    DISPID id;
    ULONG i;
    for (i = 0; i < l->calls; i++)
    {
        CHECK(IDispatch_GetIDsOfNames(l->disp, &IID_NULL, &l->name, 1, LOCALE_USER_DEFAULT, &id));
        sink += id;
    }
    return now() - t;
}

static void bench_late(void)
{
    double ta[MAX_REPS] = { 0 }, tb[MAX_REPS] = { 0 }, ratio[MAX_REPS] = { 0 };
    struct late sr, dict;
    ISharedRegion *region = create_region(L"", 64 * KIB);
    IDispatch *d;
    VARIANT key, item, offset = vnum(64);
    CLSID clsid;
    DISPID add;
    LPOLESTR add_name = (LPOLESTR)L"Add";
    VARIANT args[2];
    DISPPARAMS dp = { args, NULL, 2, 0 };
    int i;

    CHECK(CLSIDFromProgID(L"Scripting.Dictionary", &clsid));
    CHECK(CoCreateInstance(&clsid, NULL, CLSCTX_INPROC_SERVER, &IID_IDispatch, (void **)&d));
    /* d.Add "k", 42 */
    CHECK(IDispatch_GetIDsOfNames(d, &IID_NULL, &add_name, 1, LOCALE_USER_DEFAULT, &add));
    V_VT(&key) = VT_BSTR;
    V_BSTR(&key) = SysAllocString(L"k");
    V_VT(&item) = VT_I4;
    V_I4(&item) = 42;
    args[0] = item;
    args[1] = key;
    CHECK(IDispatch_Invoke(d, add, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_METHOD, &dp, NULL, NULL, NULL));
    VariantClear(&key);

    late_init(&sr, (IDispatch *)region, L"ReadInt32", DISPATCH_METHOD, &offset, late_sr_calls);
    late_init(&dict, d, L"Count", DISPATCH_PROPERTYGET, NULL, late_dict_calls);
    run_pair(late_invoke, &dict, late_invoke, &sr, ta, tb);
    for (i = 0; i < reps; i++) ratio[i] = (tb[i] / sr.calls) / (ta[i] / dict.calls);
    row("4c", "Late binding, C: Invoke(ReadInt32) vs Invoke(Dictionary.Count) (time per call)",
        median(ratio, reps), "<=", 1.5, "ReadInt32 %.0f ns, Dictionary.Count %.0f ns per Invoke (%.2f..%.2f)",
        median(tb, reps) / sr.calls * 1e9, median(ta, reps) / dict.calls * 1e9, min_of(ratio, reps),
        max_of(ratio, reps));
    {
        struct lookup lsr = { (IDispatch *)region, (LPOLESTR)L"ReadInt32", 20000 };
        struct lookup ldict = { d, (LPOLESTR)L"Item", 20000 };
        run_pair(lookup_names, &ldict, lookup_names, &lsr, ta, tb);
        for (i = 0; i < reps; i++) ratio[i] = tb[i] / ta[i];
        row("4n", "Name lookup: GetIDsOfNames(ReadInt32) vs Dictionary's GetIDsOfNames(Item) (time per call)",
            median(ratio, reps), "-", -1,
            "ReadInt32 %.0f ns, Item %.0f ns per lookup (%.2f..%.2f)", median(tb, reps) / lsr.calls * 1e9,
            median(ta, reps) / ldict.calls * 1e9, min_of(ratio, reps), max_of(ratio, reps));
    }
    IDispatch_Release(d);
    ISharedRegion_Release(region);
}

/* ==== 5. the way most samples do it ==== */

struct naive
{
    ISharedRegion *region;
    const WCHAR *name;       /* kernel name */
    HANDLE mutex;
    BYTE *buf;
    ULONGLONG span;
    ULONG calls;
};

static double naive_samples(void *p)
{
    struct naive *n = p;
    double t = now();
    ULONG i;
    for (i = 0; i < n->calls; i++)
    {
        HANDLE h;
        BYTE *view;

        WaitForSingleObject(n->mutex, INFINITE);
        h = OpenFileMappingW(FILE_MAP_READ, FALSE, n->name);
        CHECK_WIN32(h, "OpenFileMapping");
        view = MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
        CHECK_WIN32(view, "MapViewOfFile");
        memcpy(n->buf, view + (i * 4 * KIB) % n->span, 4 * KIB);
        UnmapViewOfFile(view);
        CloseHandle(h);
        ReleaseMutex(n->mutex);
    }
    sink += n->buf[0];
    return now() - t;
}

static double naive_sr(void *p)
{
    struct naive *n = p;
    double t = now();
    ULONG i;
    for (i = 0; i < n->calls; i++)
    {
        VARIANT v;
        CHECK(ISharedRegion_ReadBytes(n->region, (double)((i * 4 * KIB) % n->span), 4 * KIB, &v));
        VariantClear(&v);
    }
    return now() - t;
}

static void bench_naive(void)
{
    double ta[MAX_REPS] = { 0 }, tb[MAX_REPS] = { 0 }, ratio[MAX_REPS] = { 0 };
    struct naive samples, sr;
    WCHAR name[64], kname[80], mname[96];
    int i;

    bench_name(L"naive", name, ARRAY_SIZE(name));
    swprintf(kname, ARRAY_SIZE(kname), L"Local\\%ls", name);
    swprintf(mname, ARRAY_SIZE(mname), L"Local\\%ls-mutex", name);
    memset(&samples, 0, sizeof(samples));
    samples.region = create_region(name, 1 * MIB);
    samples.name = kname;
    samples.span = 1 * MIB;
    samples.buf = alloc_buffer(64 * KIB);
    samples.mutex = CreateMutexW(NULL, FALSE, mname);
    CHECK_WIN32(samples.mutex, "CreateMutex");
    sr = samples;
    samples.calls = 2000;
    sr.calls = 50000;
    run_pair(naive_samples, &samples, naive_sr, &sr, ta, tb);
    for (i = 0; i < reps; i++) ratio[i] = (ta[i] / samples.calls) / (tb[i] / sr.calls);
    row("5", "Vs sample code: mutex+open+map+copy+unmap+close per 4 KiB read (times faster)",
        median(ratio, reps), ">=", 20,
        "ReadBytes(4 KiB) %.2f us, sample code %.1f us per read (%.0f..%.0f)",
        median(tb, reps) / sr.calls * 1e6, median(ta, reps) / samples.calls * 1e6, min_of(ratio, reps),
        max_of(ratio, reps));
    CloseHandle(samples.mutex);
    VirtualFree(samples.buf, 0, MEM_RELEASE);
    ISharedRegion_Release(samples.region);
}

/* ==== 6. cross-process round trip ==== */

enum { PP_RAW, PP_SR };
#define PP_TIMEOUT 30000

struct pingpong
{
    HANDLE ping, pong;           /* raw: auto-reset events */
    ISharedRegion *rping, *rpong;
    ULONG trips;
};

/* The order of the two modes in pass k: pass 0 is the warm-up, then as run_pair alternates. */
static int pp_mode(int pass, int which)
{
    int first = (pass == 0 || (pass - 1) % 2 == 0) ? PP_RAW : PP_SR;
    return which == 0 ? first : !first;
}

static double pp_parent(struct pingpong *pp, int mode)
{
    double t = now();
    VARIANT_BOOL ok;
    ULONG i;
    for (i = 0; i < pp->trips; i++)
    {
        if (mode == PP_RAW)
        {
            SetEvent(pp->ping);
            if (WaitForSingleObject(pp->pong, PP_TIMEOUT) != WAIT_OBJECT_0) die("pong (raw)", E_FAIL);
        }
        else
        {
            CHECK(ISharedRegion_Signal(pp->rping));
            CHECK(ISharedRegion_WaitSignal(pp->rpong, PP_TIMEOUT, &ok));
            if (!ok) die("pong (SharedRegion)", E_FAIL);
        }
    }
    return now() - t;
}

static void pp_child_pass(struct pingpong *pp, int mode)
{
    VARIANT_BOOL ok;
    ULONG i;
    for (i = 0; i < pp->trips; i++)
    {
        if (mode == PP_RAW)
        {
            if (WaitForSingleObject(pp->ping, PP_TIMEOUT) != WAIT_OBJECT_0) die("ping (raw)", E_FAIL);
            SetEvent(pp->pong);
        }
        else
        {
            CHECK(ISharedRegion_WaitSignal(pp->rping, PP_TIMEOUT, &ok));
            if (!ok) die("ping (SharedRegion)", E_FAIL);
            CHECK(ISharedRegion_Signal(pp->rpong));
        }
    }
}

static void pp_names(DWORD pid, WCHAR *ping, WCHAR *pong, WCHAR *rping, WCHAR *rpong)
{
    swprintf(ping, 64, L"Local\\srbench-pp-%lu-ping", pid);
    swprintf(pong, 64, L"Local\\srbench-pp-%lu-pong", pid);
    swprintf(rping, 64, L"srbench-pp-%lu-rping", pid);
    swprintf(rpong, 64, L"srbench-pp-%lu-rpong", pid);
}

static int pingpong_child(DWORD parent, ULONG trips)
{
    WCHAR ping[64], pong[64], rping[64], rpong[64];
    struct pingpong pp;
    BSTR b;
    int pass;

    pp_names(parent, ping, pong, rping, rpong);
    pp.trips = trips;
    pp.ping = OpenEventW(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, ping);
    pp.pong = OpenEventW(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, pong);
    CHECK_WIN32(pp.ping && pp.pong, "OpenEvent");
    pp.rping = new_region();
    pp.rpong = new_region();
    b = SysAllocString(rping);
    CHECK(ISharedRegion_Open(pp.rping, b, missing()));
    SysFreeString(b);
    b = SysAllocString(rpong);
    CHECK(ISharedRegion_Open(pp.rpong, b, missing()));
    SysFreeString(b);
    for (pass = 0; pass <= reps; pass++)
    {
        pp_child_pass(&pp, pp_mode(pass, 0));
        pp_child_pass(&pp, pp_mode(pass, 1));
    }
    ISharedRegion_Release(pp.rping);
    ISharedRegion_Release(pp.rpong);
    CloseHandle(pp.ping);
    CloseHandle(pp.pong);
    return 0;
}

static void bench_pingpong(void)
{
    WCHAR ping[64], pong[64], rping[64], rpong[64], self[MAX_PATH], cmd[MAX_PATH + 64];
    double t[2][MAX_REPS] = { { 0 } }, ratio[MAX_REPS] = { 0 };
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    struct pingpong pp;
    DWORD code = 1;
    int pass, k;

    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    pp_names(GetCurrentProcessId(), ping, pong, rping, rpong);
    pp.trips = 5000;
    pp.ping = CreateEventW(NULL, FALSE, FALSE, ping);
    pp.pong = CreateEventW(NULL, FALSE, FALSE, pong);
    CHECK_WIN32(pp.ping && pp.pong, "CreateEvent");
    pp.rping = create_region(rping, 4096);
    pp.rpong = create_region(rpong, 4096);

    GetModuleFileNameW(NULL, self, ARRAY_SIZE(self));
    swprintf(cmd, ARRAY_SIZE(cmd), L"\"%ls\" pingpong-child %lu %lu -r %d", self, GetCurrentProcessId(),
             pp.trips, reps);
    CHECK_WIN32(CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi), "CreateProcess");
    for (pass = 0; pass <= reps; pass++)
        for (k = 0; k < 2; k++)
        {
            int mode = pp_mode(pass, k);
            double s = pp_parent(&pp, mode);
            if (pass) t[mode][pass - 1] = s;
        }
    WaitForSingleObject(pi.hProcess, PP_TIMEOUT);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    if (code) die("the ping-pong child process", E_FAIL);
    for (k = 0; k < reps; k++) ratio[k] = t[PP_SR][k] / t[PP_RAW][k];
    row("6", "Cross-process round trip: Signal/WaitSignal vs SetEvent/WaitForSingleObject (time)",
        median(ratio, reps), "<=", 1.3,
        "SharedRegion %.1f us, raw events %.1f us per round trip (%.2f..%.2f)",
        median(t[PP_SR], reps) / pp.trips * 1e6, median(t[PP_RAW], reps) / pp.trips * 1e6, min_of(ratio, reps),
        max_of(ratio, reps));
    ISharedRegion_Release(pp.rping);
    ISharedRegion_Release(pp.rpong);
    CloseHandle(pp.ping);
    CloseHandle(pp.pong);
}

/* ==== 7. sequential scan of a 16 GiB sparse file ==== */

#define SCAN_FILE_SIZE   (16 * GIB)
#define SCAN_STRIPES     32             /* stripes spread evenly across the file ... */
#define SCAN_STRIPE      (64 * MIB)     /* ... of this many bytes each: 2 GiB in all */
#define SCAN_READ        (1 * MIB)      /* bytes per read */

struct scan
{
    ISharedRegion *region;
    HANDLE section;          /* the hand-written side's own mapping of the file */
    BYTE *buf;
    BOOL sample;             /* measure the address space after every read */
    ULONGLONG baseline, peak;
    unsigned int peak_allocs;
};

static ULONGLONG stripe_offset(int i)
{
    return (ULONGLONG)i * (SCAN_FILE_SIZE / SCAN_STRIPES);
}

/* Creating and destroying as many new 1 MiB Byte() arrays as one scan returns, and nothing else. */
static double scan_alloc_only(void *p)
{
    double t = now();
    int i;
    for (i = 0; i < SCAN_STRIPES * (int)(SCAN_STRIPE / SCAN_READ); i++)
    {
        SAFEARRAY *sa = SafeArrayCreateVector(VT_UI1, 0, SCAN_READ);
        if (!sa) die("SafeArrayCreateVector", E_OUTOFMEMORY);
        SafeArrayDestroy(sa);
    }
    return now() - t;
}

static double scan_sr(void *p)
{
    struct scan *s = p;
    double t = now();
    ULONGLONG off;
    int i;
    for (i = 0; i < SCAN_STRIPES; i++)
        for (off = stripe_offset(i); off < stripe_offset(i) + SCAN_STRIPE; off += SCAN_READ)
        {
            VARIANT v;
            CHECK(ISharedRegion_ReadBytes(s->region, (double)off, SCAN_READ, &v));
            sink += ((BYTE *)V_ARRAY(&v)->pvData)[0];
            VariantClear(&v);
            if (s->sample)
            {
                unsigned int allocs;
                ULONGLONG m = mapped_bytes(&allocs) - s->baseline;
                if (m > s->peak) { s->peak = m; s->peak_allocs = allocs; }
            }
        }
    return now() - t;
}

/* The loop a careful programmer writes by hand: map a stripe-sized chunk, copy out of it, unmap. */
static double scan_raw(void *p)
{
    struct scan *s = p;
    double t = now();
    ULONGLONG off;
    int i;
    for (i = 0; i < SCAN_STRIPES; i++)
    {
        ULONGLONG base = stripe_offset(i);
        BYTE *view = MapViewOfFile(s->section, FILE_MAP_READ, (DWORD)(base >> 32), (DWORD)base, SCAN_STRIPE);
        CHECK_WIN32(view, "MapViewOfFile (file)");
        for (off = 0; off < SCAN_STRIPE; off += SCAN_READ)
        {
            memcpy(s->buf, view + off, SCAN_READ);
            sink += s->buf[0];
        }
        UnmapViewOfFile(view);
    }
    return now() - t;
}

/* While the scan runs, another thread samples the address space as often as it can. */
struct sampler
{
    volatile LONG stop;
    ULONGLONG baseline, peak;
    unsigned int samples;
};

static DWORD WINAPI sampler_thread(void *p)
{
    struct sampler *s = p;
    while (!s->stop)
    {
        ULONGLONG m = mapped_bytes(NULL) - s->baseline;
        if (m > s->peak) s->peak = m;
        s->samples++;
    }
    return 0;
}

static void bench_scan(const WCHAR *path)
{
    double ta[MAX_REPS] = { 0 }, tb[MAX_REPS] = { 0 }, ratio[MAX_REPS] = { 0 }, talloc[3];
    struct scan s = { 0 };
    struct sampler sm = { 0 };
    LARGE_INTEGER end;
    HANDLE file, thread;
    DWORD ret, sparse_err = 0;
    BSTR bpath;
    int i;

    if (!path) die("scan: no file given (-f FILE)", E_INVALIDARG);
    file = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                       NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    CHECK_WIN32(file != INVALID_HANDLE_VALUE, "CreateFile (sparse file)");
    if (!DeviceIoControl(file, FSCTL_SET_SPARSE, NULL, 0, NULL, 0, &ret, NULL)) sparse_err = GetLastError();
    end.QuadPart = SCAN_FILE_SIZE;
    CHECK_WIN32(SetFilePointerEx(file, end, NULL, FILE_BEGIN) && SetEndOfFile(file), "SetEndOfFile");
    CloseHandle(file);

    /* What is mapped before the region exists is not the region's. */
    s.baseline = sm.baseline = mapped_bytes(NULL);
    s.region = new_region();
    bpath = SysAllocString(path);
    CHECK(ISharedRegion_OpenFile(s.region, bpath, missing(), vnum(RegionReadOnly), missing()));
    SysFreeString(bpath);
    s.buf = alloc_buffer(SCAN_READ);

    /* One pass with the address space sampled after every read and, all along, by a second thread. */
    s.sample = TRUE;
    thread = CreateThread(NULL, 0, sampler_thread, &sm, 0, NULL);
    CHECK_WIN32(thread, "CreateThread");
    scan_sr(&s);
    sm.stop = 1;
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    s.sample = FALSE;

    file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    CHECK_WIN32(file != INVALID_HANDLE_VALUE, "CreateFile (scan)");
    s.section = CreateFileMappingW(file, NULL, PAGE_READONLY, 0, 0, NULL);
    CHECK_WIN32(s.section, "CreateFileMapping (scan)");

    run_pair(scan_raw, &s, scan_sr, &s, ta, tb);
    for (i = 0; i < reps; i++) ratio[i] = ta[i] / tb[i];
    for (i = 0; i < 3; i++) talloc[i] = scan_alloc_only(NULL);
    row("7", "Scan of 2 GiB spread over a 16 GiB sparse file: ReadBytes 1 MiB vs MapViewOfFile loop (throughput)",
        median(ratio, reps), ">=", 0.8,
        "scanned 2 GiB per pass on each side (32 stripes of 64 MiB, one every 512 MiB); ReadBytes %.0f MiB/s, "
        "hand-written loop (64 MiB chunks) %.0f MiB/s (%.2f..%.2f); creating and destroying the 2048 new 1 MiB "
        "Byte() arrays that ReadBytes returns takes %.0f%% of its pass on its own; FSCTL_SET_SPARSE %s",
        2048 / median(tb, reps), 2048 / median(ta, reps), min_of(ratio, reps), max_of(ratio, reps),
        100 * median(talloc, 3) / median(tb, reps), sparse_err ? "failed (the file is sparse anyway)" : "succeeded");
    row("7m", "Scan: the most address space the region had mapped at once (MiB, not a ratio)",
        (double)(s.peak > sm.peak ? s.peak : sm.peak) / MIB, "<=", 64,
        "VirtualQuery sum of MEM_MAPPED above the baseline: %.0f MiB after reads (2048 samples, %u mapped "
        "allocations at the peak), %.0f MiB from a concurrent sampler (%u samples)",
        (double)s.peak / MIB, s.peak_allocs, (double)sm.peak / MIB, sm.samples);

    CloseHandle(s.section);
    CloseHandle(file);
    ISharedRegion_Release(s.region);
    VirtualFree(s.buf, 0, MEM_RELEASE);
    DeleteFileW(path);
}

/* ==== 8. scaling ==== */

#define SCALE_VIEW   (64 * MIB)
#define SCALE_BLOCK  (1 * MIB)
#define SCALE_PASSES 4

enum scale_op { SCALE_READ, SCALE_WRITE, SCALE_RAW_READ, SCALE_RAW_WRITE };

struct scale_worker
{
    ISharedView *view;
    BYTE *raw, *buf;
    VARIANT src;
    enum scale_op op;
    HANDLE start;
};

static DWORD WINAPI scale_thread(void *p)
{
    struct scale_worker *w = p;
    ULONGLONG off;
    int pass;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    WaitForSingleObject(w->start, INFINITE);
    for (pass = 0; pass < SCALE_PASSES; pass++)
        for (off = 0; off < SCALE_VIEW; off += SCALE_BLOCK)
        {
            VARIANT v;
            switch (w->op)
            {
            case SCALE_READ:
                CHECK(ISharedView_ReadBytes(w->view, (double)off, SCALE_BLOCK, &v));
                VariantClear(&v);
                break;
            case SCALE_WRITE:
                CHECK(ISharedView_WriteBytes(w->view, (double)off, w->src));
                break;
            case SCALE_RAW_READ:
                memcpy(w->buf, w->raw + off, SCALE_BLOCK);
                break;
            case SCALE_RAW_WRITE:
                memcpy(w->raw + off, w->buf, SCALE_BLOCK);
                break;
            }
        }
    CoUninitialize();
    return 0;
}

struct scale
{
    struct scale_worker w[2];
    int threads;
};

static double scale_sample(void *p)
{
    struct scale *s = p;
    HANDLE start = CreateEventW(NULL, TRUE, FALSE, NULL), th[2];
    double t;
    int i;

    for (i = 0; i < s->threads; i++)
    {
        s->w[i].start = start;
        th[i] = CreateThread(NULL, 0, scale_thread, &s->w[i], 0, NULL);
        CHECK_WIN32(th[i], "CreateThread");
    }
    Sleep(5);
    t = now();
    SetEvent(start);
    WaitForMultipleObjects(s->threads, th, TRUE, INFINITE);
    t = now() - t;
    for (i = 0; i < s->threads; i++) CloseHandle(th[i]);
    CloseHandle(start);
    return t;
}

static void bench_scaling(void)
{
    static const struct { enum scale_op op, raw; const char *id, *what; } ops[] =
    {
        { SCALE_READ, SCALE_RAW_READ, "8r", "Scaling: ReadBytes 1 MiB, 2 threads on 2 views vs 1 thread (throughput)" },
        { SCALE_WRITE, SCALE_RAW_WRITE, "8w", "Scaling: WriteBytes 1 MiB, 2 threads on 2 views vs 1 thread (throughput)" },
    };
    double t1[MAX_REPS] = { 0 }, t2[MAX_REPS] = { 0 }, ratio[MAX_REPS] = { 0 }, raw_ratio[MAX_REPS] = { 0 };
    struct scale one, two;
    ISharedRegion *region;
    ISharedView *views[2];
    HANDLE sections[2];
    BYTE *raw[2], *buf[2];
    WCHAR name[64];
    unsigned int k;
    int i;

    bench_name(L"scaling", name, ARRAY_SIZE(name));
    region = create_region(name, 2 * SCALE_VIEW);
    memset(&one, 0, sizeof(one));
    for (i = 0; i < 2; i++)
    {
        CHECK(ISharedRegion_MapView(region, (double)(i * SCALE_VIEW), SCALE_VIEW, missing(), &views[i]));
        raw[i] = map_raw(name, i * SCALE_VIEW, SCALE_VIEW, &sections[i]);
        memset(raw[i], 0x11, SCALE_VIEW);
        buf[i] = alloc_buffer(SCALE_BLOCK);
        one.w[i].view = views[i];
        one.w[i].raw = raw[i];
        one.w[i].buf = buf[i];
        one.w[i].src = byte_array(buf[i], SCALE_BLOCK);
    }
    two = one;
    one.threads = 1;
    two.threads = 2;

    for (k = 0; k < ARRAY_SIZE(ops); k++)
    {
        for (i = 0; i < 2; i++) one.w[i].op = two.w[i].op = ops[k].raw;
        run_pair(scale_sample, &one, scale_sample, &two, t1, t2);
        for (i = 0; i < reps; i++) raw_ratio[i] = 2 * t1[i] / t2[i];
        for (i = 0; i < 2; i++) one.w[i].op = two.w[i].op = ops[k].op;
        run_pair(scale_sample, &one, scale_sample, &two, t1, t2);
        for (i = 0; i < reps; i++) ratio[i] = 2 * t1[i] / t2[i];
        row(ops[k].id, ops[k].what, median(ratio, reps), "-", -1,
            "1 thread %.0f MiB/s, 2 threads %.0f MiB/s in all (%.2f..%.2f); the same with memcpy on raw "
            "views scales %.2f",
            SCALE_PASSES * 64 / median(t1, reps), 2 * SCALE_PASSES * 64 / median(t2, reps), min_of(ratio, reps),
            max_of(ratio, reps), median(raw_ratio, reps));
    }
    for (i = 0; i < 2; i++)
    {
        VariantClear(&one.w[i].src);
        VirtualFree(buf[i], 0, MEM_RELEASE);
        UnmapViewOfFile(raw[i]);
        CloseHandle(sections[i]);
        ISharedView_Release(views[i]);
    }
    ISharedRegion_Release(region);
}

/* ==== 9. typed data: ReadInto and ReadSingle ==== */

struct typed
{
    ISharedRegion *region;
    BYTE *raw;               /* the same section, mapped directly */
    BYTE *buf;               /* the raw side's reused buffer */
    SAFEARRAY *sa;           /* the SharedRegion side's reused Byte() */
    VARIANT ref;             /* VT_BYREF | VT_ARRAY | VT_UI1 to sa, as VBA and VBScript pass a variable */
    ULONGLONG span, block;
    ULONG calls;
};

static double into_sr(void *p)
{
    struct typed *m = p;
    double t = now();
    LONG n;
    ULONG i;
    for (i = 0; i < m->calls; i++)
        CHECK(ISharedRegion_ReadInto(m->region, (double)((i * m->block) % m->span), m->ref, &n));
    t = now() - t;
    sink += ((BYTE *)m->sa->pvData)[m->block - 1];
    return t;
}

static double into_raw(void *p)
{
    struct typed *m = p;
    double t = now();
    ULONG i;
    for (i = 0; i < m->calls; i++)
        memcpy(m->buf, m->raw + (i * m->block) % m->span, (size_t)m->block);
    t = now() - t;
    sink += m->buf[m->block - 1];
    return t;
}

static double single_read(void *p)
{
    struct typed *m = p;
    double v, total = 0, t = now();
    ULONG i;
    for (i = 0; i < m->calls; i++)
    {
        ISharedRegion_ReadSingle(m->region, (double)((i & 255) * 4), &v);
        total += v;
    }
    t = now() - t;
    sink += (LONG)total;
    return t;
}

static double int32_read(void *p)
{
    struct typed *m = p;
    LONG v, total = 0;
    double t = now();
    ULONG i;
    for (i = 0; i < m->calls; i++)
    {
        ISharedRegion_ReadInt32(m->region, (double)((i & 255) * 4), &v);
        total += v;
    }
    t = now() - t;
    sink += total;
    return t;
}

static void bench_typed(void)
{
    double ta[MAX_REPS] = { 0 }, tb[MAX_REPS] = { 0 }, ratio[MAX_REPS] = { 0 };
    struct typed m = { 0 };
    WCHAR name[64];
    HANDLE section;
    double mb;
    int i;

    bench_name(L"typed", name, ARRAY_SIZE(name));
    m.span = 64 * MIB;
    m.block = MIB;
    m.region = create_region(name, m.span);
    m.raw = map_raw(name, 0, m.span, &section);
    m.buf = alloc_buffer(m.block);
    memset(m.raw, 0x5a, (size_t)m.span);
    if (!(m.sa = SafeArrayCreateVector(VT_UI1, 0, (ULONG)m.block))) die("SafeArrayCreateVector", E_OUTOFMEMORY);
    V_VT(&m.ref) = VT_BYREF | VT_ARRAY | VT_UI1;
    V_ARRAYREF(&m.ref) = &m.sa;
    m.calls = 256;
    mb = (double)(m.calls * m.block) / MIB;
    run_pair(into_raw, &m, into_sr, &m, ta, tb);
    for (i = 0; i < reps; i++) ratio[i] = ta[i] / tb[i];
    row("9i", "ReadInto 1 MiB into a reused Byte() vs memcpy from a raw view (throughput)", median(ratio, reps), ">=", 0.7,
        "ReadInto %.0f MiB/s, memcpy %.0f MiB/s (%.2f..%.2f); the fast bulk read: no new array, so no page fault per page",
        mb / median(tb, reps), mb / median(ta, reps), min_of(ratio, reps), max_of(ratio, reps));

    for (i = 0; i < 256; i++) CHECK(ISharedRegion_WriteInt32(m.region, i * 4, 0x3f800000 + i));
    m.calls = 2000000;
    run_pair(int32_read, &m, single_read, &m, ta, tb);
    for (i = 0; i < reps; i++) ratio[i] = tb[i] / ta[i];
    row("9s", "ReadSingle vs ReadInt32 (time per call)", median(ratio, reps), "<=", 1.1,
        "ReadSingle %.1f ns, ReadInt32 %.1f ns per call (%.2f..%.2f)", median(tb, reps) / m.calls * 1e9,
        median(ta, reps) / m.calls * 1e9, min_of(ratio, reps), max_of(ratio, reps));

    SafeArrayDestroy(m.sa);
    UnmapViewOfFile(m.raw);
    CloseHandle(section);
    VirtualFree(m.buf, 0, MEM_RELEASE);
    ISharedRegion_Release(m.region);
}

/* ==== main ==== */

int wmain(int argc, WCHAR **argv)
{
    const WCHAR *measure = argc > 1 ? argv[1] : L"", *file = NULL;
    LARGE_INTEGER f;
    int i, rc = 0;

    QueryPerformanceFrequency(&f);
    qpc_freq = (double)f.QuadPart;
    for (i = 2; i < argc; i++)
    {
        if (!wcscmp(argv[i], L"-r") && i + 1 < argc) reps = _wtoi(argv[++i]);
        else if (!wcscmp(argv[i], L"-f") && i + 1 < argc) file = argv[++i];
    }
    if (reps < 1) reps = 1;
    if (reps > MAX_REPS) reps = MAX_REPS;

    /* Late binding runs in a single-threaded apartment, as scripts do, so that the Dictionary
     * (an apartment-threaded class) is called directly and not through a proxy. */
    CHECK(CoInitializeEx(NULL, wcscmp(measure, L"late") ? COINIT_MULTITHREADED : COINIT_APARTMENTTHREADED));
    if (!wcscmp(measure, L"bulk")) bench_bulk();
    else if (!wcscmp(measure, L"zerocopy")) bench_zerocopy();
    else if (!wcscmp(measure, L"small")) bench_small();
    else if (!wcscmp(measure, L"late")) bench_late();
    else if (!wcscmp(measure, L"naive")) bench_naive();
    else if (!wcscmp(measure, L"pingpong")) bench_pingpong();
    else if (!wcscmp(measure, L"pingpong-child") && argc > 3)
        rc = pingpong_child((DWORD)wcstoul(argv[2], NULL, 10), (ULONG)wcstoul(argv[3], NULL, 10));
    else if (!wcscmp(measure, L"scan")) bench_scan(file);
    else if (!wcscmp(measure, L"scaling")) bench_scaling();
    else if (!wcscmp(measure, L"typed")) bench_typed();
    else
    {
        fprintf(stderr, "usage: srbench MEASURE [-r REPS] [-f FILE]\n"
                "  MEASURE: bulk zerocopy small late naive pingpong scan scaling typed\n");
        rc = 2;
    }
    CoUninitialize();
    return rc;
}
