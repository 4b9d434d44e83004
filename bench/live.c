/*
 * srbench: live data, read while a publisher writes it.
 *
 *   live  rows 10s, 10m, 10l, 10w, 10t:
 *         10s  Snapshot of 4 KiB under a "seq:0" guard vs ReadInto of 4 KiB into a reused Byte(),
 *              through the vtable (time per call, target <= 1.5);
 *         10m  Snapshot of 1 MiB, no guard, repeated, vs memcpy from a raw view (throughput,
 *              target >= 0.7);
 *         10l  how long after a change WaitChange returns, against how long after Signal WaitSignal
 *              returns, between two threads (median and p99, reported);
 *         10w  the CPU time a WaitChange uses while it waits 2 s for a number nobody changes, as a
 *              percentage of one core (target <= 5);
 *         10t  torn frames among 10,000 unguarded Snapshots of a frame that a writer thread rewrites
 *              at full speed under a sequence lock, and among 10,000 Snapshots under "seq:0"
 *              (reported).
 */
#include "srbench.h"

/* A BSTR argument, as a caller passes a guard string. */
static VARIANT vtext(const WCHAR *s)
{
    VARIANT v;
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(s);
    if (!V_BSTR(&v)) die("SysAllocString", E_OUTOFMEMORY);
    return v;
}

/* ==== 10s, 10m: the cost of a snapshot ==== */

/* The other side, ReadInto and memcpy, is calls.c's (row 9i). */
struct snap
{
    struct typed m;
    VARIANT guard;           /* "seq:0" or missing */
};

static double snap_sr(void *p)
{
    struct snap *s = p;
    struct typed *m = &s->m;
    ISharedSnapshot *copy;
    double t = now();
    ULONG i;
    for (i = 0; i < m->calls; i++)
    {
        CHECK(ISharedRegion_Snapshot(m->region, (double)((i * m->block) % m->span), (double)m->block, s->guard, 1000,
                                     &copy));
        ISharedSnapshot_Release(copy);
    }
    return now() - t;
}

static void bench_snapshot_cost(void)
{
    double ta[MAX_REPS] = { 0 }, tb[MAX_REPS] = { 0 }, ratio[MAX_REPS] = { 0 }, tc[MAX_REPS] = { 0 }, mb;
    struct snap sn = { 0 };
    struct typed *m = &sn.m;
    WCHAR name[64];
    HANDLE section;
    int i;

    bench_name(L"snap", name, ARRAY_SIZE(name));
    m->span = 64 * MIB;
    m->region = create_region(name, m->span);
    m->raw = map_raw(name, 0, m->span, &section);
    memset(m->raw, 0x5a, (size_t)m->span);
    /* 10s: one 4 KiB frame at 0, read again and again as a reader polls a publisher's frame; it
     * starts with its sequence counter, even (no write in progress). */
    m->block = 4 * KIB;
    m->span = m->block;
    *(UINT32 *)m->raw = 2;
    sn.guard = vtext(L"seq:0");
    if (!(m->sa = SafeArrayCreateVector(VT_UI1, 0, (ULONG)m->block))) die("SafeArrayCreateVector", E_OUTOFMEMORY);
    V_VT(&m->ref) = VT_BYREF | VT_ARRAY | VT_UI1;
    V_ARRAYREF(&m->ref) = &m->sa;
    m->calls = 20000;
    run_pair(into_sr, m, snap_sr, &sn, ta, tb);
    for (i = 0; i < reps; i++) ratio[i] = tb[i] / ta[i];
    /* What a snapshot costs besides its copy: the same call for 16 bytes. */
    m->block = 16;
    m->span = m->block;
    for (i = 0; i < reps; i++) tc[i] = snap_sr(&sn);
    row("10s", "Snapshot 4 KiB with a \"seq:OFF\" guard vs ReadInto 4 KiB into a reused Byte() (time per call)",
        median(ratio, reps), "<=", 1.5, "Snapshot + Release %.2f us, ReadInto %.2f us per call (%.2f..%.2f), the same "
        "4 KiB frame each call; a Snapshot of 16 bytes under the same guard %.2f us: the object (a spare taken back), "
        "the guard parsed, two counter loads and its Release, which ReadInto into a Byte() it is given does not make",
        median(tb, reps) / m->calls * 1e6, median(ta, reps) / m->calls * 1e6, min_of(ratio, reps), max_of(ratio, reps),
        median(tc, reps) / m->calls * 1e6);
    SafeArrayDestroy(m->sa);
    VariantClear(&sn.guard);

    /* 10m: no guard, 1 MiB at a time over the 64 MiB section. */
    m->block = MIB;
    m->span = 64 * MIB;
    sn.guard = missing();
    m->buf = alloc_buffer(m->block);
    m->calls = 256;
    mb = (double)(m->calls * m->block) / MIB;
    run_pair(into_raw, m, snap_sr, &sn, ta, tb);
    for (i = 0; i < reps; i++) ratio[i] = ta[i] / tb[i];
    row("10m", "Snapshot 1 MiB (no guard), repeated, vs memcpy from a raw view (throughput)", median(ratio, reps), ">=",
        0.7, "Snapshot + Release %.0f MiB/s, memcpy %.0f MiB/s (%.2f..%.2f); a freed 1 MiB copy's block is reused "
        "with its pages by the next snapshot", mb / median(tb, reps), mb / median(ta, reps), min_of(ratio, reps),
        max_of(ratio, reps));

    UnmapViewOfFile(m->raw);
    CloseHandle(section);
    VirtualFree(m->buf, 0, MEM_RELEASE);
    ISharedRegion_Release(m->region);
}

/* ==== 10l, 10w: WaitChange ==== */

#define WAKES 300            /* wakes timed per side */

struct wake
{
    ISharedRegion *region;   /* UInt32 at 0: the number WaitChange watches; its Signal for the other side */
    volatile UINT32 *number; /* the same number, through a raw view */
    HANDLE go, ready, done;  /* auto-reset: wait once more; the waiter is about to wait; it has returned */
    BOOL by_signal;          /* this wake: Signal/WaitSignal instead of a change and WaitChange */
    BOOL quit;               /* set before go: the waiter returns */
    double changed_at;       /* now() just before the change or the Signal */
    double lag[WAKES];       /* seconds from the change to the waiter's return */
    int count;
};

static DWORD WINAPI wake_waiter(void *p)
{
    struct wake *w = p;
    VARIANT_BOOL ok;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    for (;;)
    {
        VARIANT previous;
        WaitForSingleObject(w->go, INFINITE);
        if (w->quit) break;
        previous = vnum(*w->number);
        SetEvent(w->ready);
        if (w->by_signal) CHECK(ISharedRegion_WaitSignal(w->region, 5000, &ok));
        else CHECK(ISharedRegion_WaitChange(w->region, 0, 5000, missing(), previous, &ok));
        if (!ok) die(w->by_signal ? "WaitSignal (no wake within 5 s)" : "WaitChange (no wake within 5 s)", E_FAIL);
        w->lag[w->count++] = now() - w->changed_at;
        SetEvent(w->done);
    }
    CoUninitialize();
    return 0;
}

/* count wakes of one kind. Each change comes a millisecond after the waiter started waiting and then
 * 0 to 1 ms later still, spun rather than slept, so that it falls anywhere between two of WaitChange's
 * looks at the number and not in step with the system's timer. */
static void wake_round(struct wake *w, BOOL by_signal, int count, double *lags)
{
    double next;
    int i;

    w->by_signal = by_signal;
    w->count = 0;
    for (i = 0; i < count; i++)
    {
        SetEvent(w->go);
        WaitForSingleObject(w->ready, INFINITE);
        Sleep(1);
        for (next = now() + (rand() % 1000) * 1e-6; now() < next;) YieldProcessor();
        w->changed_at = now();
        if (by_signal) CHECK(ISharedRegion_Signal(w->region));
        else InterlockedIncrement((volatile LONG *)w->number);
        if (WaitForSingleObject(w->done, 10000) != WAIT_OBJECT_0) die("the waiter thread (no wake within 10 s)", E_FAIL);
    }
    memcpy(lags, w->lag, count * sizeof(*lags));
}

static double percentile(double *v, int n, double p)
{
    int k = (int)(p * (n - 1) + 0.5);
    qsort(v, n, sizeof(*v), cmp_double);
    return v[k];
}

static double filetime_s(FILETIME f)
{
    return (double)(((ULONGLONG)f.dwHighDateTime << 32) | f.dwLowDateTime) / 1e7;
}

/* CPU seconds (user + kernel) of this thread and of the process so far. */
static void cpu_times(double *thread, double *process)
{
    FILETIME c, e, k, u;

    CHECK_WIN32(GetThreadTimes(GetCurrentThread(), &c, &e, &k, &u), "GetThreadTimes");
    *thread = filetime_s(k) + filetime_s(u);
    CHECK_WIN32(GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u), "GetProcessTimes");
    *process = filetime_s(k) + filetime_s(u);
}

/* The floor of a 1 ms poll: 2 s of waits on a periodic 1 ms waitable timer, the pacer's own (sync.c),
 * and nothing else; the percentage of one core that this thread used. */
static double timer_floor(void)
{
    HANDLE timer = CreateWaitableTimerExW(NULL, NULL, 2 /* CREATE_WAITABLE_TIMER_HIGH_RESOLUTION */, TIMER_ALL_ACCESS);
    double t0, t1, p0, p1, w0, w;
    LARGE_INTEGER due;

    if (!timer) timer = CreateWaitableTimerExW(NULL, NULL, 0, TIMER_ALL_ACCESS);
    CHECK_WIN32(timer, "CreateWaitableTimerEx");
    due.QuadPart = -10000;
    CHECK_WIN32(SetWaitableTimer(timer, &due, 1, NULL, NULL, FALSE), "SetWaitableTimer");
    cpu_times(&t0, &p0);
    w0 = now();
    while (now() - w0 < 2.0) WaitForSingleObject(timer, 1000);
    w = now() - w0;
    cpu_times(&t1, &p1);
    CloseHandle(timer);
    return (t1 - t0) / w * 100;
}

static void bench_wait(void)
{
    static double change[WAKES], signal[WAKES];
    double thread[MAX_REPS] = { 0 }, process[MAX_REPS] = { 0 }, wall[MAX_REPS] = { 0 }, bare[MAX_REPS] = { 0 };
    double cm, cp, sm, sp, t0, t1, p0, p1, w0;
    struct wake w = { 0 };
    WCHAR name[64];
    HANDLE section, waiter;
    VARIANT_BOOL ok;
    int i, waits = reps < 5 ? reps : 5, half = WAKES / 2;

    bench_name(L"wake", name, ARRAY_SIZE(name));
    w.region = create_region(name, 64 * KIB);
    w.number = (volatile UINT32 *)map_raw(name, 0, 64 * KIB, &section);
    w.ready = CreateEventW(NULL, FALSE, FALSE, NULL);
    w.done = CreateEventW(NULL, FALSE, FALSE, NULL);
    w.go = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!w.ready || !w.done || !w.go) die("CreateEvent", HRESULT_FROM_WIN32(GetLastError()));
    waiter = CreateThread(NULL, 0, wake_waiter, &w, 0, NULL);
    CHECK_WIN32(waiter, "CreateThread");
    /* A warm-up of each kind, then each kind twice, in alternating order. */
    srand(17);
    wake_round(&w, FALSE, 10, change);
    wake_round(&w, TRUE, 10, signal);
    wake_round(&w, FALSE, half, change);
    wake_round(&w, TRUE, half, signal);
    wake_round(&w, TRUE, WAKES - half, signal + half);
    wake_round(&w, FALSE, WAKES - half, change + half);
    w.quit = TRUE;
    SetEvent(w.go);
    WaitForSingleObject(waiter, 10000);
    CloseHandle(waiter);
    cm = percentile(change, WAKES, 0.5);
    cp = percentile(change, WAKES, 0.99);
    sm = percentile(signal, WAKES, 0.5);
    sp = percentile(signal, WAKES, 0.99);
    row("10l", "Wake-up latency: WaitChange after a change vs WaitSignal after Signal, two threads (median time)",
        cm / sm, "-", -1, "WaitChange median %.0f us, p99 %.0f us, max %.0f us; WaitSignal median %.0f us, p99 %.0f us, "
        "max %.0f us (%d wakes each; p99 ratio %.1f)", cm * 1e6, cp * 1e6, change[WAKES - 1] * 1e6, sm * 1e6,
        sp * 1e6, signal[WAKES - 1] * 1e6, WAKES, cp / sp);

    for (i = 0; i < waits; i++)
    {
        if (i % 2) bare[i] = timer_floor();
        cpu_times(&t0, &p0);
        w0 = now();
        CHECK(ISharedRegion_WaitChange(w.region, 0, 2000, missing(), missing(), &ok));
        wall[i] = now() - w0;
        cpu_times(&t1, &p1);
        if (ok) die("WaitChange (the number changed)", E_FAIL);
        thread[i] = (t1 - t0) / wall[i] * 100;
        process[i] = (p1 - p0) / wall[i] * 100;
        if (!(i % 2)) bare[i] = timer_floor();
    }
    row("10w", "CPU time of WaitChange waiting 2 s on a number nobody changes (% of one core)", median(thread, waits),
        "<=", 5, "the waiting thread's user + kernel time over %.2f s (GetThreadTimes), %d waits, %.2f..%.2f%%; the "
        "whole process %.2f%% (GetProcessTimes); the floor of any 1 ms poll, a bare loop of waits on a periodic 1 ms "
        "waitable timer for 2 s on the same thread, %.2f%% (%.2f..%.2f%%); one wake, from a change to WaitChange "
        "returning, %.0f us median (10l)", median(wall, waits), waits, min_of(thread, waits), max_of(thread, waits),
        median(process, waits), median(bare, waits), min_of(bare, waits), max_of(bare, waits), cm * 1e6);

    CloseHandle(w.go);
    CloseHandle(w.ready);
    CloseHandle(w.done);
    UnmapViewOfFile((void *)w.number);
    CloseHandle(section);
    ISharedRegion_Release(w.region);
}

/* ==== 10t: torn frames ==== */

/* The frame: a uint32 sequence counter at 0 (odd while a frame is written), and at 64 FRAME_WORDS
 * uint32 that all derive from the frame number n, which is word 0. */
#define FRAME_AT    64
#define FRAME_WORDS 1024
#define COPIES      10000

static UINT32 frame_word(UINT32 n, UINT32 k)
{
    return k ? n * 2654435761u + k : n;
}

struct torn
{
    ISharedRegion *region;
    BYTE *raw;
    volatile LONG quit;
    ULONG frames;            /* written by the writer */
};

/* The publisher: frames back to back, with about 2 us between two of them. */
static DWORD WINAPI torn_writer(void *p)
{
    struct torn *m = p;
    volatile LONG *seq = (volatile LONG *)m->raw;
    volatile UINT32 *words = (volatile UINT32 *)(m->raw + FRAME_AT);
    double next;
    UINT32 n, k;

    for (n = 1; !m->quit; n++)
    {
        InterlockedIncrement(seq);
        for (k = 0; k < FRAME_WORDS; k++) words[k] = frame_word(n, k);
        InterlockedIncrement(seq);
        m->frames = n;
        for (next = now() + 2e-6; now() < next;) YieldProcessor();
    }
    return 0;
}

/* COPIES snapshots of the frame under guard; how many fail the frame's check. */
static LONG torn_count(struct torn *m, VARIANT guard, LONG *retries)
{
    ISharedViewMemory *mem;
    ISharedSnapshot *copy;
    const UINT32 *words;
    LONG torn = 0, r;
    SIZE_T size;
    void *at;
    UINT32 k;
    int i;

    *retries = 0;
    for (i = 0; i < COPIES; i++)
    {
        CHECK(ISharedRegion_Snapshot(m->region, 0, FRAME_AT + FRAME_WORDS * 4, guard, 1000, &copy));
        CHECK(ISharedSnapshot_QueryInterface(copy, &IID_ISharedViewMemory, (void **)&mem));
        CHECK(ISharedViewMemory_GetAddress(mem, &at, &size));
        words = (const UINT32 *)((BYTE *)at + FRAME_AT);
        for (k = 1; k < FRAME_WORDS && words[k] == frame_word(words[0], k); k++) ;
        torn += k < FRAME_WORDS;
        CHECK(ISharedSnapshot_get_Retries(copy, &r));
        *retries += r;
        ISharedViewMemory_Release(mem);
        ISharedSnapshot_Release(copy);
    }
    return torn;
}

static void bench_torn(void)
{
    struct torn m = { 0 };
    LONG plain, guarded, plain_retries, guarded_retries;
    VARIANT seq = vtext(L"seq:0");
    ULONG frames;
    WCHAR name[64];
    HANDLE section, writer;
    double t;

    bench_name(L"torn", name, ARRAY_SIZE(name));
    m.region = create_region(name, 64 * KIB);
    m.raw = map_raw(name, 0, 64 * KIB, &section);
    writer = CreateThread(NULL, 0, torn_writer, &m, 0, NULL);
    CHECK_WIN32(writer, "CreateThread");
    while (m.frames < 100) Sleep(1);
    t = now();
    frames = m.frames;
    plain = torn_count(&m, missing(), &plain_retries);
    guarded = torn_count(&m, seq, &guarded_retries);
    frames = m.frames - frames;
    t = now() - t;
    m.quit = 1;
    WaitForSingleObject(writer, 10000);
    CloseHandle(writer);
    row("10t", "Torn frames per 10,000 unguarded Snapshots of a full-speed seq-lock writer (guarded: 0 expected)",
        (double)plain, "-", -1, "%ld of %d unguarded copies torn, %ld of %d with \"seq:0\" (which threw %ld torn copies "
        "away and retried); a writer thread rewrote the %d-byte self-checking frame %lu times in %.2f s, about 2 us "
        "between frames", plain, COPIES, guarded, COPIES, guarded_retries, FRAME_WORDS * 4, frames, t);
    if (guarded) die("Snapshot under \"seq:0\" returned a torn frame", E_FAIL);

    VariantClear(&seq);
    UnmapViewOfFile(m.raw);
    CloseHandle(section);
    ISharedRegion_Release(m.region);
}

void bench_live(void)
{
    bench_snapshot_cost();
    bench_wait();
    bench_torn();
}
