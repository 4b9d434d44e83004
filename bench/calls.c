/*
 * srbench: the cost of one call.
 *
 *   small  rows 3, 3l: ReadInt32 vs get_Access, the cheapest vtable call the object has, and one
 *          shared SRW lock pair vs get_Access, which explains it (time per call, reported).
 *   late   rows 4c, 4n: IDispatch::Invoke of ReadInt32 vs Invoke of Scripting.Dictionary's Count,
 *          in a single-threaded apartment as scripts run (target <= 1.5), and GetIDsOfNames of
 *          each (reported). bench/late.vbs measures the same from VBScript.
 *   typed  rows 9i, 9s: ReadInto of 1 MiB into a reused Byte() vs memcpy from a raw view
 *          (throughput, target >= 0.7), and ReadSingle vs ReadInt32 (time, target <= 1.1).
 */
#include "srbench.h"

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

void bench_small(void)
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

void bench_late(void)
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

/* ==== 9. typed data: ReadInto and ReadSingle ==== */

double into_sr(void *p)
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

double into_raw(void *p)
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

void bench_typed(void)
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
