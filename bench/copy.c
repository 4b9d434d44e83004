/*
 * srbench: moving bytes in bulk.
 *
 *   bulk      rows 1r-SIZE, 1w-SIZE: ReadBytes and WriteBytes of 4 KiB to 64 MiB (vtable) vs memcpy
 *             from and to a raw view of the same section (throughput). WriteBytes of 1 MiB and
 *             more has the target >= 0.7; ReadBytes is reported, with the cost of the new Byte()
 *             each call returns measured beside it.
 *   zerocopy  rows 2-SIZE: ISharedViewMemory::GetAddress + memcpy vs memcpy from a raw view, the
 *             two sides taking turns every 1 MiB; 1 MiB has the target >= 0.98.
 *   scaling   rows 8r, 8w: ReadBytes and WriteBytes of 1 MiB, two threads on two views vs one
 *             thread (throughput), beside the same with memcpy on raw views (reported).
 */
#include "srbench.h"

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

void bench_bulk(void)
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

void bench_zerocopy(void)
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

void bench_scaling(void)
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
