/*
 * SharedRegion tests: many threads on the same objects.
 *
 * Multithreaded apartment: THREADS threads x OPS mixed operations on shared objects: reads and
 * writes (bytes, typed, strings, fill), views mapped and unmapped, a shared view unmapped and
 * replaced by any thread, a shared region object closed and re-opened by any thread while the
 * others use it, and a counter incremented under the region's lock. No crash, no deadlock (every
 * wait is bounded), and the invariants hold: each thread reads back exactly what it wrote in its
 * own stripe, every call on a shared object that another thread may close returns either success
 * or exactly "not open"/"not mapped", and the counter ends at the number of increments.
 *
 * Single-threaded apartments: the objects aggregate the free-threaded marshaler, so marshaling
 * them into another apartment hands over the same pointer (no proxy), and they stay usable from
 * any thread even after the apartment that created them is gone.
 */
#include "hardening.h"
#include <tlhelp32.h>

#define THREADS       8
#define OPS           100000
#define STRIPE        65536                   /* each thread's own bytes */
#define SHARED_OFF    (THREADS * STRIPE)      /* the counter and the shared view's bytes */
#define REGION_SIZE   (SHARED_OFF + STRIPE)
#define RUN_TIMEOUT   240000                  /* ms: past this the run is declared deadlocked */
#define LOCK_TIMEOUT  20000                   /* ms: a Lock that waits longer is a deadlock */

static struct
{
    WCHAR name[64];
    ISharedRegion *region;       /* open all along */
    ISharedRegion *shared;       /* the same name; closed and re-opened by any thread */
    SRWLOCK view_lock;           /* guards the pointer in `view`, not the calls on it */
    ISharedView *view;           /* a view of the shared area; unmapped and replaced by any thread */
    LONG increments;             /* how many times threads incremented the counter */
    LONG closes, opens, remaps, not_open, not_mapped, maps;
    double start;
} g;

struct worker
{
    unsigned int index;
    ULONGLONG seed;
    LONG errors;
    unsigned int ops;
    char first_error[400];
};

static ULONGLONG next_random(ULONGLONG *s)
{
    ULONGLONG x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static VARIANT utf16;             /* "utf-16", made once; the server never frees its arguments */

static void record_error(struct worker *w, const char *what, HRESULT hr)
{
    IErrorInfo *info = NULL;
    BSTR desc = NULL;

    if (w->errors++) return;
    if (GetErrorInfo(0, &info) == S_OK && info)
    {
        IErrorInfo_GetDescription(info, &desc);
        IErrorInfo_Release(info);
    }
    snprintf(w->first_error, sizeof(w->first_error), "thread %u op %u: %s (hr %#lx: %ls)", w->index, w->ops,
             what, (unsigned long)hr, desc ? desc : L"");
    SysFreeString(desc);
}

#define CHECK(cond, what, hr) do { if (!(cond)) record_error(w, what, hr); } while (0)

static ISharedView *take_shared_view(void)
{
    ISharedView *v;
    AcquireSRWLockShared(&g.view_lock);
    if ((v = g.view)) ISharedView_AddRef(v);
    ReleaseSRWLockShared(&g.view_lock);
    return v;
}

static void one_op(struct worker *w, unsigned int op)
{
    ULONGLONG r = next_random(&w->seed);
    double base = (double)w->index * STRIPE;
    unsigned int off = (unsigned int)(r >> 8) % (STRIPE - 64), kind = (unsigned int)(r % 100);
    HRESULT hr;

    if (kind < 20)
    {
        /* Bytes in the own stripe, written and read back. */
        BYTE bytes[32];
        VARIANT v, res;
        unsigned int i;
        for (i = 0; i < sizeof(bytes); i++) bytes[i] = (BYTE)(op + i + w->index);
        v = byte_array(bytes, sizeof(bytes));
        hr = ISharedRegion_WriteBytes(g.region, base + off, v);
        CHECK(hr == S_OK, "WriteBytes", hr);
        VariantClear(&v);
        hr = ISharedRegion_ReadBytes(g.region, base + off, sizeof(bytes), &res);
        CHECK(hr == S_OK, "ReadBytes", hr);
        if (hr == S_OK)
        {
            void *p;
            SafeArrayAccessData(V_ARRAY(&res), &p);
            CHECK(!memcmp(p, bytes, sizeof(bytes)), "ReadBytes returned other bytes than were written", S_OK);
            SafeArrayUnaccessData(V_ARRAY(&res));
            VariantClear(&res);
        }
    }
    else if (kind < 35)
    {
        /* Typed values at unaligned offsets of the own stripe. */
        LONG i32 = (LONG)(r >> 17), got32 = 0;
        double d = (double)(r >> 11) / 3.0, gotd = 0;
        hr = ISharedRegion_WriteInt32(g.region, base + off + 1, i32);
        CHECK(hr == S_OK, "WriteInt32", hr);
        hr = ISharedRegion_ReadInt32(g.region, base + off + 1, &got32);
        CHECK(hr == S_OK && got32 == i32, "ReadInt32 read back another value", hr);
        hr = ISharedRegion_WriteDouble(g.region, base + off + 3, d);
        CHECK(hr == S_OK, "WriteDouble", hr);
        hr = ISharedRegion_ReadDouble(g.region, base + off + 3, &gotd);
        CHECK(hr == S_OK && gotd == d, "ReadDouble read back another value", hr);
    }
    else if (kind < 45)
    {
        /* The object other threads close and re-open: success, or exactly "not open". */
        LONG v = (LONG)op, got = 0;
        HRESULT written;
        written = hr = ISharedRegion_WriteInt32(g.shared, base + off, v);
        CHECK(hr == S_OK || hr == SR_E_NOTOPEN, "WriteInt32 on the shared object", hr);
        if (hr == SR_E_NOTOPEN) InterlockedIncrement(&g.not_open);
        hr = ISharedRegion_ReadInt32(g.shared, base + off, &got);
        CHECK(hr == S_OK || hr == SR_E_NOTOPEN, "ReadInt32 on the shared object", hr);
        /* The stripe belongs to this thread alone: once the write went through, both objects read
         * back exactly v (the shared object, if it is open, is the same named region). */
        CHECK(hr != S_OK || written != S_OK || got == v, "ReadInt32 on the shared object read back another value", hr);
        /* Whatever object the bytes were written through, the region is the same: read it back. */
        got = v ^ 0x5a5a5a5a;
        hr = ISharedRegion_ReadInt32(g.region, base + off, &got);
        CHECK(hr == S_OK, "ReadInt32", hr);
        if (written == S_OK) CHECK(hr == S_OK && got == v, "ReadInt32 read back another value than was written "
                                   "through the shared object", hr);
    }
    else if (kind < 55)
    {
        /* The shared view: success, or exactly "not mapped" once some thread unmapped it. */
        ISharedView *v = take_shared_view();
        VARIANT res;
        if (v)
        {
            hr = ISharedView_ReadBytes(v, off % 4096, 16, &res);
            CHECK(hr == S_OK || hr == SR_E_NOTMAPPED, "ReadBytes on the shared view", hr);
            if (hr == S_OK) VariantClear(&res);
            else InterlockedIncrement(&g.not_mapped);
            hr = ISharedView_Fill(v, 4096 + w->index * 64, 64, (LONG)(op & 0xff));
            CHECK(hr == S_OK || hr == SR_E_NOTMAPPED, "Fill on the shared view", hr);
            ISharedView_Release(v);
        }
    }
    else if (kind < 61)
    {
        /* A view of the own stripe: write through it, read through the region, unmap. */
        ISharedView *v = NULL;
        ISharedViewMemory *mem = NULL;
        LONG got = 0;
        hr = ISharedRegion_MapView(g.region, base + off, 64, missing(), &v);
        CHECK(hr == S_OK, "MapView", hr);
        if (hr == S_OK)
        {
            void *address;
            SIZE_T size;
            InterlockedIncrement(&g.maps);
            hr = ISharedView_WriteInt32(v, 8, (LONG)op ^ 0x5a5a);
            CHECK(hr == S_OK, "WriteInt32 through a view", hr);
            hr = ISharedRegion_ReadInt32(g.region, base + off + 8, &got);
            CHECK(hr == S_OK && got == ((LONG)op ^ 0x5a5a), "a view's write not seen through the region", hr);
            ISharedView_QueryInterface(v, &IID_ISharedViewMemory, (void **)&mem);
            hr = ISharedViewMemory_GetAddress(mem, &address, &size);
            CHECK(hr == S_OK && size == 64 && *(LONG *)((BYTE *)address + 8) == ((LONG)op ^ 0x5a5a),
                  "GetAddress does not show the view's bytes", hr);
            ISharedViewMemory_Release(mem);
            if (op & 1)
            {
                hr = ISharedView_Unmap(v);
                CHECK(hr == S_OK, "Unmap", hr);
                hr = ISharedView_ReadInt32(v, 8, &got);
                CHECK(hr == SR_E_NOTMAPPED, "a read after Unmap", hr);
            }
            ISharedView_Release(v);
        }
    }
    else if (kind < 67)
    {
        /* The counter, under the region's cross-process lock. */
        VARIANT_BOOL ok = VARIANT_FALSE;
        LONG count = 0;
        hr = ISharedRegion_Lock(g.region, LOCK_TIMEOUT, &ok);
        CHECK(hr == S_OK && ok == VARIANT_TRUE, "Lock timed out or failed (deadlock?)", hr);
        if (hr == S_OK && ok)
        {
            hr = ISharedRegion_ReadInt32(g.region, SHARED_OFF, &count);
            CHECK(hr == S_OK, "ReadInt32 of the counter", hr);
            hr = ISharedRegion_WriteInt32(g.region, SHARED_OFF, count + 1);
            CHECK(hr == S_OK, "WriteInt32 of the counter", hr);
            InterlockedIncrement(&g.increments);
            hr = ISharedRegion_Unlock(g.region);
            CHECK(hr == S_OK, "Unlock", hr);
        }
    }
    else if (kind < 68)
    {
        /* Close the shared object, or open it again: any thread, any time. */
        if (r & 0x10000)
        {
            hr = ISharedRegion_Close(g.shared);
            CHECK(hr == S_OK, "Close", hr);
            InterlockedIncrement(&g.closes);
        }
        else
        {
            hr = open_region(g.shared, g.name, -1);
            CHECK(hr == S_OK || hr == SR_E_ALREADYOPEN, "Open of the shared object", hr);
            if (hr == S_OK) InterlockedIncrement(&g.opens);
        }
    }
    else if (kind < 69)
    {
        /* Unmap the shared view (others may be using it) and put a new one in its place. */
        ISharedView *fresh = NULL, *old;
        hr = ISharedRegion_MapView(g.region, SHARED_OFF, 8192, missing(), &fresh);
        CHECK(hr == S_OK, "MapView of the shared area", hr);
        AcquireSRWLockExclusive(&g.view_lock);
        old = g.view;
        g.view = fresh;
        ReleaseSRWLockExclusive(&g.view_lock);
        if (old)
        {
            hr = ISharedView_Unmap(old);
            CHECK(hr == S_OK, "Unmap of the shared view", hr);
            ISharedView_Release(old);
        }
        InterlockedIncrement(&g.remaps);
    }
    else if (kind < 80)
    {
        /* Strings in the own stripe. */
        WCHAR text[32];
        BSTR b, got = NULL;
        LONG n = 0;
        swprintf(text, ARRAY_SIZE(text), L"t%u-%u", w->index, op);
        b = SysAllocString(text);
        hr = ISharedRegion_WriteString(g.region, base + off, b, (r & 1) ? utf16 : missing(), missing(), &n);
        CHECK(hr == S_OK, "WriteString", hr);
        hr = ISharedRegion_ReadString(g.region, base + off, missing(), (r & 1) ? utf16 : missing(), &got);
        CHECK(hr == S_OK && got && !wcscmp(got, text), "ReadString read back another string", hr);
        SysFreeString(got);
        SysFreeString(b);
    }
    else if (kind < 90)
    {
        /* Fill the own stripe's piece and check a byte of it. */
        BYTE value = (BYTE)(op * 7 + 1), got = 0;
        hr = ISharedRegion_Fill(g.region, base + off, 48, value);
        CHECK(hr == S_OK, "Fill", hr);
        hr = ISharedRegion_ReadByte(g.region, base + off + 47, &got);
        CHECK(hr == S_OK && got == value, "ReadByte after Fill", hr);
    }
    else
    {
        /* Properties, and reads of other threads' stripes (their contents change under us: no check). */
        double size = 0;
        VARIANT_BOOL open;
        VARIANT res;
        hr = ISharedRegion_get_Size(g.region, &size);
        CHECK(hr == S_OK && size == REGION_SIZE, "Size", hr);
        hr = ISharedRegion_get_IsOpen(g.shared, &open);
        CHECK(hr == S_OK, "IsOpen", hr);
        hr = ISharedRegion_get_Size(g.shared, &size);
        CHECK(hr == S_OK && (size == 0 || size == REGION_SIZE), "Size of the shared object", hr);
        hr = ISharedRegion_ReadBytes(g.region, (double)((r >> 20) % THREADS) * STRIPE + off, 64, &res);
        CHECK(hr == S_OK, "ReadBytes of another stripe", hr);
        VariantClear(&res);
    }
}

static DWORD WINAPI worker_main(void *param)
{
    struct worker *w = param;

    if (FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED)))
    {
        record_error(w, "CoInitializeEx", E_FAIL);
        return 1;
    }
    for (w->ops = 0; w->ops < OPS; w->ops++) one_op(w, w->ops);
    CoUninitialize();
    return 0;
}

static void test_threads_share_objects_in_the_mta(void **state)
{
    struct worker workers[THREADS];
    HANDLE threads[THREADS];
    unsigned int i, done = 0;
    LONG counter = 0, errors = 0;
    DWORD wait;
    double elapsed;

    memset(&g, 0, sizeof(g));
    utf16 = vstr(L"utf-16");
    swprintf(g.name, ARRAY_SIZE(g.name), L"sr-hard-conc-%lu", GetCurrentProcessId());
    InitializeSRWLock(&g.view_lock);
    g.region = create_region(g.name, REGION_SIZE);
    g.shared = new_region();
    assert_int_equal(open_region(g.shared, g.name, -1), S_OK);
    assert_int_equal(ISharedRegion_MapView(g.region, SHARED_OFF, 8192, missing(), &g.view), S_OK);

    g.start = now_ms();
    for (i = 0; i < THREADS; i++)
    {
        memset(&workers[i], 0, sizeof(workers[i]));
        workers[i].index = i;
        workers[i].seed = 0x9e3779b97f4a7c15ULL * (i + 1);
        threads[i] = CreateThread(NULL, 0, worker_main, &workers[i], 0, NULL);
        assert_non_null(threads[i]);
    }
    wait = WaitForMultipleObjects(THREADS, threads, TRUE, RUN_TIMEOUT);
    elapsed = now_ms() - g.start;
    if (wait == WAIT_TIMEOUT)
    {
        for (i = 0; i < THREADS; i++) done += workers[i].ops;
        fail_msg("not finished after %u s: %u of %u operations done (deadlock, or far too slow)", RUN_TIMEOUT / 1000,
                 done, THREADS * OPS);
    }
    for (i = 0; i < THREADS; i++)
    {
        CloseHandle(threads[i]);
        done += workers[i].ops;
        errors += workers[i].errors;
        if (workers[i].errors) print_error("%s (%ld errors in this thread)\n", workers[i].first_error, workers[i].errors);
    }
    assert_int_equal(ISharedRegion_ReadInt32(g.region, SHARED_OFF, &counter), S_OK);
    print_message("[ FIGURES  ] concurrency: %u threads x %u operations = %u in %.1f s; %ld locked increments "
                  "(counter %ld); shared object closed %ld / re-opened %ld times (%ld calls found it closed); shared "
                  "view replaced %ld times (%ld calls found it unmapped); %ld views mapped\n",
                  THREADS, OPS, done, elapsed / 1000, g.increments, counter, g.closes, g.opens, g.not_open, g.remaps,
                  g.not_mapped, g.maps);
    assert_int_equal(errors, 0);
    assert_int_equal(done, THREADS * OPS);
    assert_int_equal(counter, g.increments);

    VariantClear(&utf16);
    ISharedView_Release(g.view);
    ISharedRegion_Release(g.shared);
    ISharedRegion_Release(g.region);
    assert_int_equal(server_can_unload_now(), S_OK);
    assert_false(section_exists(g.name));
}

/* ---- single-threaded apartments ---- */

struct sta_job
{
    IStream *stream;             /* in: the marshaled interface */
    void *expected;              /* in: the pointer the MTA holds */
    void *received;              /* out: what unmarshaling gave */
    HRESULT hr;                  /* out: of the unmarshal */
    LONG value;                  /* out: read through the pointer */
    HRESULT call;                /* out: of that read */
};

static DWORD WINAPI sta_unmarshal(void *param)
{
    struct sta_job *job = param;
    ISharedRegion *r = NULL;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    job->hr = CoGetInterfaceAndReleaseStream(job->stream, &IID_ISharedRegion, (void **)&r);
    job->received = r;
    if (r)
    {
        job->call = ISharedRegion_ReadInt32(r, 0, &job->value);
        ISharedRegion_Release(r);
    }
    CoUninitialize();
    return 0;
}

static void test_marshaling_into_an_sta_hands_over_the_same_pointer(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    struct sta_job job = { NULL };
    IMarshal *marshal;
    CLSID clsid;
    HANDLE t;

    assert_int_equal(ISharedRegion_WriteInt32(r, 0, 4242), S_OK);
    /* The marshaler the object offers is the free-threaded one: in-process it marshals the pointer. */
    assert_int_equal(ISharedRegion_QueryInterface(r, &IID_IMarshal, (void **)&marshal), S_OK);
    assert_int_equal(IMarshal_GetUnmarshalClass(marshal, &IID_ISharedRegion, r, MSHCTX_INPROC, NULL, MSHLFLAGS_NORMAL,
                                                &clsid), S_OK);
    IMarshal_Release(marshal);
    /* Compared with what a free-threaded marshaler of the test's own says (the constant's value in
     * import libraries differs from one SDK to another). */
    {
        IUnknown *ftm;
        CLSID reference;
        assert_int_equal(CoCreateFreeThreadedMarshaler(NULL, &ftm), S_OK);
        assert_int_equal(IUnknown_QueryInterface(ftm, &IID_IMarshal, (void **)&marshal), S_OK);
        assert_int_equal(IMarshal_GetUnmarshalClass(marshal, &IID_IUnknown, ftm, MSHCTX_INPROC, NULL, MSHLFLAGS_NORMAL,
                                                    &reference), S_OK);
        IMarshal_Release(marshal);
        IUnknown_Release(ftm);
        assert_true(IsEqualCLSID(&clsid, &reference));
    }

    assert_int_equal(CoMarshalInterThreadInterfaceInStream(&IID_ISharedRegion, (IUnknown *)r, &job.stream), S_OK);
    job.expected = r;
    t = CreateThread(NULL, 0, sta_unmarshal, &job, 0, NULL);
    assert_int_equal(WaitForSingleObject(t, 30000), WAIT_OBJECT_0);
    CloseHandle(t);
    assert_int_equal(job.hr, S_OK);
    assert_ptr_equal(job.received, job.expected);
    assert_int_equal(job.call, S_OK);
    assert_int_equal(job.value, 4242);
    ISharedRegion_Release(r);
}

struct sta_creator
{
    IStream *region_stream, *view_stream;
    ISharedRegion *created;
    ISharedView *view;
    HANDLE ready, go_away;
};

/* An STA that creates a region and a view, hands them to the MTA, and ends (without pumping messages). */
static DWORD WINAPI sta_create(void *param)
{
    struct sta_creator *c = param;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    c->created = create_region(L"", 65536);
    ISharedRegion_WriteInt32(c->created, 16, 77);
    ISharedRegion_MapView(c->created, 4096, 4096, missing(), &c->view);
    CoMarshalInterThreadInterfaceInStream(&IID_ISharedRegion, (IUnknown *)c->created, &c->region_stream);
    CoMarshalInterThreadInterfaceInStream(&IID_ISharedView, (IUnknown *)c->view, &c->view_stream);
    SetEvent(c->ready);
    WaitForSingleObject(c->go_away, 30000);
    ISharedView_Release(c->view);
    ISharedRegion_Release(c->created);
    CoUninitialize();
    return 0;
}

static void test_objects_made_in_an_sta_outlive_it_and_need_no_message_loop(void **state)
{
    struct sta_creator c = { NULL };
    ISharedRegion *r = NULL;
    ISharedView *v = NULL;
    HANDLE t;
    LONG value = 0;

    c.ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    c.go_away = CreateEventW(NULL, TRUE, FALSE, NULL);
    t = CreateThread(NULL, 0, sta_create, &c, 0, NULL);
    assert_int_equal(WaitForSingleObject(c.ready, 30000), WAIT_OBJECT_0);
    assert_int_equal(CoGetInterfaceAndReleaseStream(c.region_stream, &IID_ISharedRegion, (void **)&r), S_OK);
    assert_int_equal(CoGetInterfaceAndReleaseStream(c.view_stream, &IID_ISharedView, (void **)&v), S_OK);
    assert_ptr_equal(r, c.created);
    assert_ptr_equal(v, c.view);
    /* The STA is blocked in a wait, not pumping messages: a proxy would hang here; the object runs
     * on this thread. */
    assert_int_equal(ISharedRegion_ReadInt32(r, 16, &value), S_OK);
    assert_int_equal(value, 77);
    /* The STA ends; its objects do not depend on it. */
    SetEvent(c.go_away);
    assert_int_equal(WaitForSingleObject(t, 30000), WAIT_OBJECT_0);
    assert_int_equal(ISharedView_WriteInt32(v, 0, 99), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(r, 4096, &value), S_OK);
    assert_int_equal(value, 99);
    ISharedView_Release(v);
    ISharedRegion_Release(r);
    CloseHandle(t);
    CloseHandle(c.ready);
    CloseHandle(c.go_away);
    assert_int_equal(server_can_unload_now(), S_OK);
}

/* Two STAs and the MTA call the same object at once, none of them pumping messages. */
struct sta_hammer
{
    ISharedRegion *region;       /* the raw pointer, got through the global interface table */
    DWORD cookie;
    unsigned int index, calls;
    LONG errors;
};

static IGlobalInterfaceTable *git;

static DWORD WINAPI sta_hammer_main(void *param)
{
    struct sta_hammer *h = param;
    ISharedRegion *r = NULL;
    unsigned int i;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (IGlobalInterfaceTable_GetInterfaceFromGlobal(git, h->cookie, &IID_ISharedRegion, (void **)&r) != S_OK
        || r != h->region)
        h->errors++;
    for (i = 0; r && i < 20000; i++)
    {
        LONG got = 0;
        if (ISharedRegion_WriteInt32(r, h->index * 64, (LONG)i) != S_OK) h->errors++;
        if (ISharedRegion_ReadInt32(r, h->index * 64, &got) != S_OK || got != (LONG)i) h->errors++;
        h->calls += 2;
    }
    if (r) ISharedRegion_Release(r);
    CoUninitialize();
    return 0;
}

static void test_stas_and_the_mta_call_one_object_at_once(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    struct sta_hammer h[3];
    HANDLE t[2];
    DWORD cookie;
    unsigned int i;

    assert_int_equal(CoCreateInstance(&CLSID_StdGlobalInterfaceTable, NULL, CLSCTX_INPROC_SERVER,
                                      &IID_IGlobalInterfaceTable, (void **)&git), S_OK);
    assert_int_equal(IGlobalInterfaceTable_RegisterInterfaceInGlobal(git, (IUnknown *)r, &IID_ISharedRegion, &cookie),
                     S_OK);
    for (i = 0; i < 3; i++)
    {
        memset(&h[i], 0, sizeof(h[i]));
        h[i].region = r;
        h[i].cookie = cookie;
        h[i].index = i;
    }
    for (i = 0; i < 2; i++) t[i] = CreateThread(NULL, 0, sta_hammer_main, &h[i], 0, NULL);
    /* The MTA (this thread) takes part through the same table. */
    {
        ISharedRegion *mine = NULL;
        unsigned int k;
        assert_int_equal(IGlobalInterfaceTable_GetInterfaceFromGlobal(git, cookie, &IID_ISharedRegion, (void **)&mine),
                         S_OK);
        assert_ptr_equal(mine, r);
        for (k = 0; k < 20000; k++)
        {
            LONG got = 0;
            if (ISharedRegion_WriteInt32(mine, 2 * 64, (LONG)k) != S_OK) h[2].errors++;
            if (ISharedRegion_ReadInt32(mine, 2 * 64, &got) != S_OK || got != (LONG)k) h[2].errors++;
            h[2].calls += 2;
        }
        ISharedRegion_Release(mine);
    }
    assert_int_equal(WaitForMultipleObjects(2, t, TRUE, 60000), WAIT_OBJECT_0);
    for (i = 0; i < 2; i++) CloseHandle(t[i]);
    for (i = 0; i < 3; i++)
    {
        assert_int_equal(h[i].errors, 0);
        assert_int_equal(h[i].calls, 40000);
    }
    assert_int_equal(IGlobalInterfaceTable_RevokeInterfaceFromGlobal(git, cookie), S_OK);
    IGlobalInterfaceTable_Release(git);
    ISharedRegion_Release(r);
}

/* ---- the lock is the object's, not a thread's (the lock keepers) ---- */


enum other_call { CALL_RELEASE, CALL_UNLOCK, CALL_CLOSE };
struct other_thread { ISharedRegion *r; enum other_call call; HRESULT hr; };

static DWORD WINAPI other_thread_proc(void *arg)
{
    struct other_thread *o = arg;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    switch (o->call)
    {
    case CALL_RELEASE: ISharedRegion_Release(o->r); o->hr = S_OK; break;
    case CALL_UNLOCK: o->hr = ISharedRegion_Unlock(o->r); break;
    case CALL_CLOSE: o->hr = ISharedRegion_Close(o->r); break;
    }
    CoUninitialize();
    return 0;
}

static HRESULT on_other_thread(ISharedRegion *r, enum other_call call)
{
    struct other_thread o = { r, call, E_FAIL };
    HANDLE t = CreateThread(NULL, 0, other_thread_proc, &o, 0, NULL);
    assert_non_null(t);
    assert_int_equal(WaitForSingleObject(t, 30000), WAIT_OBJECT_0);
    CloseHandle(t);
    return o.hr;
}

/* A .NET or PowerShell finalizer: the last Release comes on another thread while the lock is held. */
static void test_final_release_on_another_thread_gives_the_lock_back(void **state)
{
    const WCHAR *name = unique_name(L"finalizer");
    ISharedRegion *keep = create_region(name, 4096), *r = new_region();
    VARIANT_BOOL got = VARIANT_FALSE;

    assert_int_equal(open_region(r, name, -1), S_OK);
    assert_int_equal(ISharedRegion_Lock(r, 1000, &got), S_OK);
    assert_int_equal(got, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_Lock(r, 1000, &got), S_OK); /* nested: depth 2 */
    assert_int_equal(lock_is_free(name), VARIANT_FALSE);
    assert_int_equal(on_other_thread(r, CALL_RELEASE), S_OK);
    /* Before, the mutex stayed with this thread for ever. */
    assert_int_equal(lock_is_free(name), VARIANT_TRUE);
    ISharedRegion_Release(keep);
    assert_server_idle();
}

/* ---- a lock keeper ends with the thread it served ---- */

static LONG process_threads(void)
{
    THREADENTRY32 te;
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    LONG n = 0;

    te.dwSize = sizeof(te);
    assert_true(snap != INVALID_HANDLE_VALUE);
    if (Thread32First(snap, &te))
        do if (te.th32OwnerProcessID == GetCurrentProcessId()) n++; while (Thread32Next(snap, &te));
    CloseHandle(snap);
    return n;
}

/* Up to 10 s for the process to be back to at most `limit` threads; the count reached. */
static LONG threads_settle(LONG limit)
{
    LONG n = process_threads();
    int i;
    for (i = 0; i < 100 && n > limit; i++)
    {
        Sleep(100);
        n = process_threads();
    }
    return n;
}

#define KEEPER_CLIENTS 6

struct keeper_client { const WCHAR *name; HANDLE locked, go; ISharedRegion *r; BOOL unlock; HRESULT hr; VARIANT_BOOL got; };

/* Lock (a keeper starts for this thread), optionally Unlock, tell the test, wait for its word, end. */
static DWORD WINAPI keeper_client_proc(void *arg)
{
    struct keeper_client *c = arg;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    c->hr = ISharedRegion_Lock(c->r, 10000, &c->got);
    if (c->unlock && c->got) c->hr = ISharedRegion_Unlock(c->r);
    SetEvent(c->locked);
    WaitForSingleObject(c->go, 30000);
    CoUninitialize();
    return 0;
}

/* A thread pool, or a script host's worker threads: each thread that locks gets a keeper, and the
 * keeper of a thread that has ended must end too, even if nothing of ours is ever called again. */
static void test_keepers_end_with_their_threads(void **state)
{
    const WCHAR *name = unique_name(L"keeperends");
    ISharedRegion *keep = create_region(name, 4096), *held;
    struct keeper_client c[KEEPER_CLIENTS];
    HANDLE t[KEEPER_CLIENTS], go = CreateEventW(NULL, TRUE, FALSE, NULL);
    LONG before, during;
    int i;

    assert_non_null(go);
    before = threads_settle(0x7fffffff);
    for (i = 0; i < KEEPER_CLIENTS; i++)
    {
        c[i].name = name;
        c[i].go = go;
        c[i].locked = CreateEventW(NULL, TRUE, FALSE, NULL);
        c[i].r = new_region();
        c[i].unlock = TRUE;
        c[i].got = VARIANT_FALSE;
        assert_int_equal(open_region(c[i].r, name, -1), S_OK);
        assert_non_null(t[i] = CreateThread(NULL, 0, keeper_client_proc, &c[i], 0, NULL));
        assert_int_equal(WaitForSingleObject(c[i].locked, 30000), WAIT_OBJECT_0);
        assert_int_equal(c[i].hr, S_OK);
        assert_int_equal(c[i].got, VARIANT_TRUE);
    }
    /* Every client and its keeper are alive now. */
    during = process_threads();
    assert_true(during >= before + 2 * KEEPER_CLIENTS);
    SetEvent(go);
    for (i = 0; i < KEEPER_CLIENTS; i++)
    {
        assert_int_equal(WaitForSingleObject(t[i], 30000), WAIT_OBJECT_0);
        CloseHandle(t[i]);
        CloseHandle(c[i].locked);
    }
    /* No Lock runs again, and the objects stay alive (no DllCanUnloadNow): the keepers end alone. */
    assert_int_equal(threads_settle(before), before);

    /* A thread that ends holding the lock: its keeper holds the mutex until the object gives it
     * back (here an Unlock on this thread), then ends too. */
    ResetEvent(go);
    c[0].unlock = FALSE;
    c[0].got = VARIANT_FALSE;
    c[0].locked = CreateEventW(NULL, TRUE, FALSE, NULL);
    assert_non_null(t[0] = CreateThread(NULL, 0, keeper_client_proc, &c[0], 0, NULL));
    assert_int_equal(WaitForSingleObject(c[0].locked, 30000), WAIT_OBJECT_0);
    assert_int_equal(c[0].got, VARIANT_TRUE);
    SetEvent(go);
    assert_int_equal(WaitForSingleObject(t[0], 30000), WAIT_OBJECT_0);
    CloseHandle(t[0]);
    CloseHandle(c[0].locked);
    Sleep(1500); /* past the keeper's linger: it has seen its client end, and holds the lock */
    assert_int_equal(lock_is_free(name), VARIANT_FALSE);
    /* The probe's own keeper ends too; the orphan's stays while it holds the lock. */
    assert_int_equal(threads_settle(before + 1), before + 1);
    held = c[0].r;
    assert_int_equal(ISharedRegion_Unlock(held), S_OK);
    assert_int_equal(threads_settle(before), before);
    assert_int_equal(lock_is_free(name), VARIANT_TRUE);

    for (i = 0; i < KEEPER_CLIENTS; i++) ISharedRegion_Release(c[i].r);
    CloseHandle(go);
    ISharedRegion_Release(keep);
    assert_server_idle();
}

static void test_unlock_and_close_on_another_thread(void **state)
{
    const WCHAR *name = unique_name(L"otherthread");
    ISharedRegion *keep = create_region(name, 4096), *r = new_region();
    VARIANT_BOOL got = VARIANT_FALSE;

    assert_int_equal(open_region(r, name, -1), S_OK);
    assert_int_equal(ISharedRegion_Lock(r, 1000, &got), S_OK);
    assert_int_equal(on_other_thread(r, CALL_UNLOCK), S_OK);
    assert_int_equal(lock_is_free(name), VARIANT_TRUE);
    assert_int_equal(on_other_thread(r, CALL_UNLOCK), HRESULT_FROM_WIN32(ERROR_NOT_OWNER));
    assert_int_equal(ISharedRegion_Lock(r, 1000, &got), S_OK);
    assert_int_equal(ISharedRegion_Lock(r, 1000, &got), S_OK);
    assert_int_equal(on_other_thread(r, CALL_CLOSE), S_OK);
    assert_int_equal(lock_is_free(name), VARIANT_TRUE);
    assert_error(ISharedRegion_Unlock(r), SR_E_NOTOPEN, L"Unlock");
    ISharedRegion_Release(r);
    ISharedRegion_Release(keep);
    assert_server_idle();
}

/* One thread, two objects of one region: the second Lock nests, as a mutex does for its thread;
 * two threads sharing one object still exclude each other. */
static void test_lock_nests_per_thread_and_excludes_other_threads(void **state)
{
    const WCHAR *name = unique_name(L"nest");
    ISharedRegion *a = create_region(name, 4096), *b = new_region();
    VARIANT_BOOL got = VARIANT_FALSE;

    assert_int_equal(open_region(b, name, -1), S_OK);
    assert_int_equal(ISharedRegion_Lock(a, 0, &got), S_OK);
    assert_int_equal(got, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_Lock(b, 0, &got), S_OK);
    assert_int_equal(got, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_Unlock(a), S_OK);
    assert_int_equal(lock_is_free(name), VARIANT_FALSE); /* b still holds it */
    assert_int_equal(ISharedRegion_Unlock(b), S_OK);
    assert_int_equal(lock_is_free(name), VARIANT_TRUE);
    ISharedRegion_Release(b);
    ISharedRegion_Release(a);
    assert_server_idle();
}

/* ---- a single-threaded apartment keeps its messages flowing while it waits ---- */

static LONG sta_messages;

static LRESULT CALLBACK sta_wndproc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == WM_USER + 7)
    {
        InterlockedIncrement(&sta_messages);
        return 42;
    }
    return DefWindowProcW(hwnd, msg, wp, lp);
}

struct sender { HWND hwnd; DWORD_PTR answer; LRESULT ok; double ms; };

static DWORD WINAPI sender_proc(void *arg)
{
    struct sender *s = arg;
    double start;
    Sleep(200); /* the STA is in its wait by now */
    start = now_ms();
    s->ok = SendMessageTimeoutW(s->hwnd, WM_USER + 7, 0, 0, SMTO_NORMAL, 1500, &s->answer);
    s->ms = now_ms() - start;
    return 0;
}

static HANDLE start_sender(struct sender *s)
{
    HANDLE t = CreateThread(NULL, 0, sender_proc, s, 0, NULL);
    assert_non_null(t);
    return t;
}

/* A thread that holds the lock through its own object until told to stop. */
struct holder { const WCHAR *name; HANDLE ready, stop; };

static DWORD WINAPI holder_proc(void *arg)
{
    struct holder *h = arg;
    ISharedRegion *r;
    VARIANT_BOOL got;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    r = new_region();
    open_region(r, h->name, -1);
    ISharedRegion_Lock(r, 5000, &got);
    SetEvent(h->ready);
    WaitForSingleObject(h->stop, 30000);
    ISharedRegion_Unlock(r);
    ISharedRegion_Release(r);
    CoUninitialize();
    return 0;
}

static DWORD WINAPI sta_thread_proc(void *arg)
{
    const WCHAR *name = arg;
    WNDCLASSW wc = { 0 };
    struct sender s = { 0 };
    struct holder h = { name, NULL, NULL };
    ISharedRegion *r;
    VARIANT_BOOL got = VARIANT_TRUE;
    HANDLE t, holder;
    DWORD fails = 0;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    wc.lpfnWndProc = sta_wndproc;
    wc.lpszClassName = L"sr-test-sta";
    RegisterClassW(&wc);
    s.hwnd = CreateWindowW(L"sr-test-sta", L"", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, NULL, NULL);
    r = create_region(name, 4096);

    /* WaitSignal: nobody signals; a message sent meanwhile must be answered during the wait. */
    t = start_sender(&s);
    if (ISharedRegion_WaitSignal(r, 1000, &got) != S_OK || got) fails |= 1;
    WaitForSingleObject(t, 10000);
    CloseHandle(t);
    if (!s.ok || s.answer != 42 || s.ms > 900) fails |= 2;
    print_message("[ FIGURES  ] STA WaitSignal: a sent message answered after %.0f ms (sent 200 ms into a 1000 ms wait)\n", s.ms);

    /* Lock that waits for another thread's lock. */
    h.ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    h.stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    holder = CreateThread(NULL, 0, holder_proc, &h, 0, NULL);
    WaitForSingleObject(h.ready, 10000);
    memset(&s, 0, sizeof(s));
    s.hwnd = CreateWindowW(L"sr-test-sta", L"", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, NULL, NULL);
    t = start_sender(&s);
    got = VARIANT_TRUE;
    if (ISharedRegion_Lock(r, 1000, &got) != S_OK || got) fails |= 4;
    WaitForSingleObject(t, 10000);
    CloseHandle(t);
    if (!s.ok || s.answer != 42 || s.ms > 900) fails |= 8;
    print_message("[ FIGURES  ] STA Lock: a sent message answered after %.0f ms (sent 200 ms into a 1000 ms wait)\n", s.ms);
    SetEvent(h.stop);
    WaitForSingleObject(holder, 10000);
    CloseHandle(holder);
    if (ISharedRegion_Lock(r, 5000, &got) != S_OK || !got || ISharedRegion_Unlock(r) != S_OK) fails |= 16;
    CloseHandle(h.ready);
    CloseHandle(h.stop);
    ISharedRegion_Release(r);
    CoUninitialize();
    return fails;
}

static void test_sta_waits_keep_messages_flowing(void **state)
{
    const WCHAR *name = unique_name(L"stawait");
    DWORD fails = ~0u;
    HANDLE t = CreateThread(NULL, 0, sta_thread_proc, (void *)name, 0, NULL);

    assert_non_null(t);
    assert_int_equal(WaitForSingleObject(t, 60000), WAIT_OBJECT_0);
    GetExitCodeThread(t, &fails);
    CloseHandle(t);
    if (fails) fail_msg("STA waits: failures %#lx (1/4: the wait's result, 2/8: the message was not answered during "
                        "the wait, 16: the lock afterwards)", fails);
    assert_true(sta_messages >= 2);
}

/* ---- the lock's release path: nothing waits behind an acquire, nothing stays held ---- */

/* Thread A holds r1's lock, then waits in r2.Lock for a lock another thread holds. */
struct lock_waiter { ISharedRegion *r1, *r2; HANDLE locked; HRESULT hr1, hr2; VARIANT_BOOL got1, got2; };

static DWORD WINAPI lock_waiter_proc(void *arg)
{
    struct lock_waiter *w = arg;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    w->hr1 = ISharedRegion_Lock(w->r1, 5000, &w->got1);
    SetEvent(w->locked);
    w->hr2 = ISharedRegion_Lock(w->r2, 8000, &w->got2);
    if (w->got2) ISharedRegion_Unlock(w->r2);
    CoUninitialize();
    return 0;
}

/* Before, A's keeper was busy with A's acquire, and B's r1.Unlock waited behind it (holding r1's span
 * lock, so every data call on r1 waited too) until A's Lock ended: a deadlock with Lock(-1) and a
 * peer that must read r1 before it lets r2 go. Now the keeper serves the release during the wait. */
static void test_unlock_does_not_wait_for_another_locks_acquire(void **state)
{
    const WCHAR *name1 = unique_name(L"relpath1"), *name2 = unique_name(L"relpath2");
    ISharedRegion *keep1 = create_region(name1, 4096), *keep2 = create_region(name2, 4096);
    struct holder h = { name2, CreateEventW(NULL, TRUE, FALSE, NULL), CreateEventW(NULL, TRUE, FALSE, NULL) };
    struct lock_waiter w = { new_region(), new_region(), CreateEventW(NULL, TRUE, FALSE, NULL), E_FAIL, E_FAIL,
                             VARIANT_FALSE, VARIANT_FALSE };
    struct other_thread o = { NULL, CALL_UNLOCK, E_FAIL };
    HANDLE holder, waiter, unlocker;
    LONG value = -1;

    assert_int_equal(open_region(w.r1, name1, -1), S_OK);
    assert_int_equal(open_region(w.r2, name2, -1), S_OK);
    assert_int_equal(ISharedRegion_WriteInt32(keep1, 0, 1234), S_OK);
    holder = CreateThread(NULL, 0, holder_proc, &h, 0, NULL);
    assert_int_equal(WaitForSingleObject(h.ready, 10000), WAIT_OBJECT_0);
    waiter = CreateThread(NULL, 0, lock_waiter_proc, &w, 0, NULL);
    assert_int_equal(WaitForSingleObject(w.locked, 10000), WAIT_OBJECT_0);
    assert_int_equal(w.hr1, S_OK);
    assert_int_equal(w.got1, VARIANT_TRUE);
    Sleep(300); /* A is in r2.Lock now */

    o.r = w.r1;
    unlocker = CreateThread(NULL, 0, other_thread_proc, &o, 0, NULL);
    /* A waits up to 8 s; the Unlock is answered long before. */
    assert_int_equal(WaitForSingleObject(unlocker, 3000), WAIT_OBJECT_0);
    CloseHandle(unlocker);
    assert_int_equal(o.hr, S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(w.r1, 0, &value), S_OK);
    assert_int_equal(value, 1234);
    assert_int_equal(lock_is_free(name1), VARIANT_TRUE);
    assert_int_equal(WaitForSingleObject(waiter, 0), WAIT_TIMEOUT); /* and A still waits */

    SetEvent(h.stop);
    assert_int_equal(WaitForSingleObject(waiter, 20000), WAIT_OBJECT_0);
    assert_int_equal(w.hr2, S_OK);
    assert_int_equal(w.got2, VARIANT_TRUE);
    assert_int_equal(WaitForSingleObject(holder, 20000), WAIT_OBJECT_0);
    CloseHandle(waiter);
    CloseHandle(holder);
    CloseHandle(h.ready);
    CloseHandle(h.stop);
    CloseHandle(w.locked);
    ISharedRegion_Release(w.r1);
    ISharedRegion_Release(w.r2);
    ISharedRegion_Release(keep1);
    ISharedRegion_Release(keep2);
    assert_server_idle();
}

/* A single-threaded apartment holds r1's lock and waits in r2.Lock; a message handler that runs
 * during that wait does the final Release of r1. */
static ISharedRegion *sta_release_target;

static LRESULT CALLBACK sta_release_wndproc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == WM_USER + 7) /* what sender_proc sends */
    {
        ISharedRegion_Release(sta_release_target); /* the last reference: the lock goes back */
        sta_release_target = NULL;
        return 7;
    }
    return DefWindowProcW(hwnd, msg, wp, lp);
}

struct sta_release { const WCHAR *name1, *name2; DWORD fails; double wait_ms; };

static DWORD WINAPI sta_release_proc(void *arg)
{
    struct sta_release *sr = arg;
    WNDCLASSW wc = { 0 };
    struct sender s = { 0 };
    ISharedRegion *r2;
    VARIANT_BOOL got = VARIANT_FALSE;
    HANDLE t;
    double start;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    wc.lpfnWndProc = sta_release_wndproc;
    wc.lpszClassName = L"sr-test-sta-release";
    RegisterClassW(&wc);
    s.hwnd = CreateWindowW(L"sr-test-sta-release", L"", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, NULL, NULL);
    sta_release_target = new_region();
    r2 = new_region();
    if (open_region(sta_release_target, sr->name1, -1) != S_OK || open_region(r2, sr->name2, -1) != S_OK) sr->fails |= 1;
    if (ISharedRegion_Lock(sta_release_target, 5000, &got) != S_OK || !got) sr->fails |= 2;
    t = CreateThread(NULL, 0, sender_proc, &s, 0, NULL);
    start = now_ms();
    got = VARIANT_TRUE;
    /* Another thread holds r2's lock for the whole wait: Lock times out after 2 s. */
    if (ISharedRegion_Lock(r2, 2000, &got) != S_OK || got) sr->fails |= 4;
    sr->wait_ms = now_ms() - start;
    WaitForSingleObject(t, 10000);
    CloseHandle(t);
    if (!s.ok || s.answer != 7) sr->fails |= 8;
    if (sta_release_target) sr->fails |= 16; /* the handler did not run */
    ISharedRegion_Release(r2);
    DestroyWindow(s.hwnd);
    CoUninitialize();
    return 0;
}

/* Before, the handler's release asked the keeper that was busy with this thread's own acquire: it
 * failed with ERROR_POSSIBLE_DEADLOCK, the failure was only traced, and r1's mutex stayed held until
 * the thread ended (for a VBA or HTA host, the life of the process). */
static void test_final_release_in_an_sta_handler_during_lock_gives_the_lock_back(void **state)
{
    struct sta_release sr = { unique_name(L"stafree1"), unique_name(L"stafree2"), 0, 0 };
    ISharedRegion *keep1 = create_region(sr.name1, 4096), *keep2 = create_region(sr.name2, 4096);
    struct holder h = { sr.name2, CreateEventW(NULL, TRUE, FALSE, NULL), CreateEventW(NULL, TRUE, FALSE, NULL) };
    HANDLE holder = CreateThread(NULL, 0, holder_proc, &h, 0, NULL), sta;

    assert_int_equal(WaitForSingleObject(h.ready, 10000), WAIT_OBJECT_0);
    sta = CreateThread(NULL, 0, sta_release_proc, &sr, 0, NULL);
    assert_int_equal(WaitForSingleObject(sta, 60000), WAIT_OBJECT_0);
    CloseHandle(sta);
    if (sr.fails) fail_msg("STA release: failures %#lx (1: open, 2: first Lock, 4: second Lock did not time out, "
                           "8: message not answered, 16: handler did not run)", sr.fails);
    print_message("[ FIGURES  ] the STA's Lock returned after %.0f ms\n", sr.wait_ms);
    /* The thread that held r1's lock has ended, but nothing of that lock is left. */
    assert_int_equal(lock_is_free(sr.name1), VARIANT_TRUE);
    SetEvent(h.stop);
    assert_int_equal(WaitForSingleObject(holder, 20000), WAIT_OBJECT_0);
    CloseHandle(holder);
    CloseHandle(h.ready);
    CloseHandle(h.stop);
    ISharedRegion_Release(keep1);
    ISharedRegion_Release(keep2);
    assert_server_idle();
}

/* Before, the first Lock marked the lock object as used before it opened, so a Lock refused for a
 * name that belongs to an event froze LockName: the corrected name was refused with ERROR_BUSY. */
static void test_a_failed_first_lock_leaves_lockname_settable(void **state)
{
    const WCHAR *name = unique_name(L"lockname"), *event_name = unique_name(L"notamutex"),
                *good = unique_name(L"goodmutex");
    ISharedRegion *r = create_region(name, 4096);
    WCHAR kernel[MAX_PATH];
    VARIANT_BOOL got = VARIANT_TRUE;
    HANDLE ev;
    BSTR b;

    swprintf(kernel, ARRAY_SIZE(kernel), L"Local\\%ls", event_name);
    ev = CreateEventW(NULL, FALSE, FALSE, kernel);
    assert_non_null(ev);
    b = SysAllocString(event_name);
    assert_int_equal(ISharedRegion_put_LockName(r, b), S_OK);
    SysFreeString(b);
    assert_int_equal(ISharedRegion_Lock(r, 0, &got), HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
    assert_int_equal(got, VARIANT_FALSE);
    b = SysAllocString(good);
    assert_int_equal(ISharedRegion_put_LockName(r, b), S_OK);
    SysFreeString(b);
    assert_int_equal(ISharedRegion_Lock(r, 1000, &got), S_OK);
    assert_int_equal(got, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_get_LockName(r, &b), S_OK);
    swprintf(kernel, ARRAY_SIZE(kernel), L"Local\\%ls", good);
    assert_wstr_equal(b, kernel);
    SysFreeString(b);
    assert_int_equal(ISharedRegion_Unlock(r), S_OK);
    CloseHandle(ev);
    ISharedRegion_Release(r);
    assert_server_idle();
}

/* How many thread-local slots this process can still allocate (all are given back). */
static UINT free_tls_slots(void)
{
    static DWORD slot[2048];
    UINT n = 0, i;
    while (n < ARRAY_SIZE(slot) && (slot[n] = TlsAlloc()) != TLS_OUT_OF_INDEXES) n++;
    for (i = 0; i < n; i++) TlsFree(slot[i]);
    return n;
}

/* Before, DllCanUnloadNow gave the keepers' thread-local slot back, while a Lock racing with it could
 * still write to that slot (TlsSetValue on a slot that another component may own by then). The slot
 * now stays until the DLL really unloads. */
static void test_dllcanunloadnow_keeps_the_keepers_slot(void **state)
{
    const WCHAR *name = unique_name(L"tlsslot");
    ISharedRegion *r = create_region(name, 4096);
    VARIANT_BOOL got = VARIANT_FALSE;
    UINT held, after;

    assert_int_equal(ISharedRegion_Lock(r, 1000, &got), S_OK);
    assert_int_equal(got, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_Unlock(r), S_OK);
    held = free_tls_slots(); /* the server's slot is allocated now */
    ISharedRegion_Release(r);
    assert_int_equal(server_can_unload_now(), S_OK);
    after = free_tls_slots();
    assert_int_equal(after, held);
    assert_server_idle();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_share_objects_in_the_mta),
        cmocka_unit_test(test_marshaling_into_an_sta_hands_over_the_same_pointer),
        cmocka_unit_test(test_objects_made_in_an_sta_outlive_it_and_need_no_message_loop),
        cmocka_unit_test(test_stas_and_the_mta_call_one_object_at_once),
        cmocka_unit_test(test_final_release_on_another_thread_gives_the_lock_back),
        cmocka_unit_test(test_unlock_and_close_on_another_thread),
        cmocka_unit_test(test_keepers_end_with_their_threads),
        cmocka_unit_test(test_lock_nests_per_thread_and_excludes_other_threads),
        cmocka_unit_test(test_sta_waits_keep_messages_flowing),
        cmocka_unit_test(test_unlock_does_not_wait_for_another_locks_acquire),
        cmocka_unit_test(test_final_release_in_an_sta_handler_during_lock_gives_the_lock_back),
        cmocka_unit_test(test_a_failed_first_lock_leaves_lockname_settable),
        cmocka_unit_test(test_dllcanunloadnow_keeps_the_keepers_slot),
    };
    return cmocka_run_group_tests_name("concurrency", tests, com_setup, com_teardown);
}
