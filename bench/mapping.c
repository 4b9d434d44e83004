/*
 * srbench: SharedRegion against the mapping code people write by hand.
 *
 *   naive  row 5: ReadBytes of 4 KiB vs what most samples do per read: take a named mutex, open
 *          the section, map it, copy, unmap, close (times faster, target >= 20).
 *   scan   rows 7, 7b, 7m: 2 GiB read in 1 MiB steps across a 16 GiB sparse file (FILE, made and
 *          deleted here): ReadInto into a reused Byte() (target >= 0.8) and ReadBytes (reported)
 *          vs a MapViewOfFile loop over 64 MiB chunks; and the most address space the region had
 *          mapped at once (target <= 64 MiB).
 */
#include "srbench.h"
#include <winioctl.h>

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

void bench_naive(void)
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
    SAFEARRAY *into;         /* the caller's reused Byte() that ReadInto fills */
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

/* The same scan through ReadInto: one caller's Byte() of 1 MiB, reused for every read. */
static double scan_sr_into(void *p)
{
    struct scan *s = p;
    double t = now();
    ULONGLONG off;
    VARIANT buf;
    LONG n;
    int i;

    V_VT(&buf) = VT_ARRAY | VT_UI1;
    V_ARRAY(&buf) = s->into;
    for (i = 0; i < SCAN_STRIPES; i++)
        for (off = stripe_offset(i); off < stripe_offset(i) + SCAN_STRIPE; off += SCAN_READ)
        {
            CHECK(ISharedRegion_ReadInto(s->region, (double)off, buf, &n));
            sink += ((BYTE *)s->into->pvData)[0];
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

void bench_scan(const WCHAR *path)
{
    double ta[MAX_REPS] = { 0 }, tb[MAX_REPS] = { 0 }, ratio[MAX_REPS] = { 0 }, talloc[3];
    double ti[MAX_REPS] = { 0 }, tr[MAX_REPS] = { 0 }, ratio_into[MAX_REPS] = { 0 };
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
    if (!(s.into = SafeArrayCreateVector(VT_UI1, 0, SCAN_READ))) die("SafeArrayCreateVector", E_OUTOFMEMORY);

    /* One pass with the address space sampled after every read and, all along, by a second thread. */
    s.sample = TRUE;
    thread = CreateThread(NULL, 0, sampler_thread, &sm, 0, NULL);
    CHECK_WIN32(thread, "CreateThread");
    scan_sr(&s);
    scan_sr_into(&s);
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
    run_pair(scan_raw, &s, scan_sr_into, &s, tr, ti);
    for (i = 0; i < reps; i++) ratio_into[i] = tr[i] / ti[i];
    row("7", "Scan of 2 GiB spread over a 16 GiB sparse file: ReadInto 1 MiB (a reused Byte()) vs MapViewOfFile loop (throughput)",
        median(ratio_into, reps), ">=", 0.8,
        "scanned 2 GiB per pass on each side (32 stripes of 64 MiB, one every 512 MiB); ReadInto %.0f MiB/s, "
        "hand-written loop (64 MiB chunks) %.0f MiB/s (%.2f..%.2f)",
        2048 / median(ti, reps), 2048 / median(tr, reps), min_of(ratio_into, reps), max_of(ratio_into, reps));
    row("7b", "Scan of the same 2 GiB: ReadBytes 1 MiB (a new Byte() per read) vs MapViewOfFile loop (throughput)",
        median(ratio, reps), "-", -1,
        "scanned 2 GiB per pass on each side (32 stripes of 64 MiB, one every 512 MiB); ReadBytes %.0f MiB/s, "
        "hand-written loop (64 MiB chunks) %.0f MiB/s (%.2f..%.2f); creating and destroying the 2048 new 1 MiB "
        "Byte() arrays that ReadBytes returns takes %.0f%% of its pass on its own; FSCTL_SET_SPARSE %s",
        2048 / median(tb, reps), 2048 / median(ta, reps), min_of(ratio, reps), max_of(ratio, reps),
        100 * median(talloc, 3) / median(tb, reps), sparse_err ? "failed (the file is sparse anyway)" : "succeeded");
    row("7m", "Scan: the most address space the region had mapped at once (MiB, not a ratio)",
        (double)(s.peak > sm.peak ? s.peak : sm.peak) / MIB, "<=", 64,
        "VirtualQuery sum of MEM_MAPPED above the baseline, over one ReadBytes and one ReadInto pass: %.0f MiB "
        "after reads (4096 samples, %u mapped "
        "allocations at the peak), %.0f MiB from a concurrent sampler (%u samples)",
        (double)s.peak / MIB, s.peak_allocs, (double)sm.peak / MIB, sm.samples);

    CloseHandle(s.section);
    CloseHandle(file);
    ISharedRegion_Release(s.region);
    VirtualFree(s.buf, 0, MEM_RELEASE);
    SafeArrayDestroy(s.into);
    DeleteFileW(path);
}
