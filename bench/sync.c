/*
 * srbench: the lock and the signal.
 *
 *   lock      row 3k: Lock+Unlock vs a raw mutex pair, uncontended (time per pair, reported),
 *             beside two bare round trips to another thread, the floor of the lock keeper's
 *             hand-overs.
 *   pingpong  row 6: Signal/WaitSignal vs SetEvent/WaitForSingleObject between this process and
 *             a second srbench process ("pingpong-child"), per round trip (target <= 1.3).
 */
#include "srbench.h"

/* ==== 3k. the lock ==== */

struct lockpair
{
    ISharedRegion *region;
    HANDLE mutex;
    ULONG calls;
};

static double lock_sr(void *p)
{
    struct lockpair *m = p;
    VARIANT_BOOL got;
    double t = now();
    ULONG i;
    for (i = 0; i < m->calls; i++)
    {
        ISharedRegion_Lock(m->region, -1, &got);
        ISharedRegion_Unlock(m->region);
    }
    return now() - t;
}

static double lock_raw(void *p)
{
    struct lockpair *m = p;
    double t = now();
    ULONG i;
    for (i = 0; i < m->calls; i++)
    {
        WaitForSingleObject(m->mutex, INFINITE);
        ReleaseMutex(m->mutex);
    }
    return now() - t;
}

/* Two bare round trips to another thread (SignalObjectAndWait each way), what Lock and Unlock hand
 * over to the keeper: the floor of the keeper's design. */
struct handoff { HANDLE ping, pong; ULONG calls; volatile LONG quit; };

static DWORD WINAPI handoff_echo(void *p)
{
    struct handoff *h = p;
    DWORD res = WaitForSingleObject(h->ping, INFINITE);
    while (res == WAIT_OBJECT_0 && !h->quit) res = SignalObjectAndWait(h->pong, h->ping, INFINITE, FALSE);
    return 0;
}

static double lock_handoff(void *p)
{
    struct handoff *h = p;
    double t = now();
    ULONG i;
    for (i = 0; i < 2 * h->calls; i++) SignalObjectAndWait(h->ping, h->pong, INFINITE, FALSE);
    return now() - t;
}

/* Lock+Unlock uncontended against the raw mutex pair a program without SharedRegion would call: the
 * difference is the lock keeper's hand-overs (a mutex the caller's thread never owns). */
void bench_lock(void)
{
    double ta[MAX_REPS] = { 0 }, tb[MAX_REPS] = { 0 }, tc[MAX_REPS] = { 0 }, ratio[MAX_REPS] = { 0 };
    struct lockpair m;
    struct handoff h;
    HANDLE echo;
    WCHAR name[64];
    int i;

    bench_name(L"lock", name, ARRAY_SIZE(name));
    m.region = create_region(name, 4 * KIB);
    m.mutex = CreateMutexW(NULL, FALSE, NULL);
    m.calls = 2000;
    h.ping = CreateEventW(NULL, FALSE, FALSE, NULL);
    h.pong = CreateEventW(NULL, FALSE, FALSE, NULL);
    h.calls = m.calls;
    h.quit = 0;
    echo = CreateThread(NULL, 0, handoff_echo, &h, 0, NULL);
    if (!h.ping || !h.pong || !echo) die("CreateThread", HRESULT_FROM_WIN32(GetLastError()));
    run_pair(lock_raw, &m, lock_handoff, &h, ta, tc);
    run_pair(lock_raw, &m, lock_sr, &m, ta, tb);
    for (i = 0; i < reps; i++) ratio[i] = tb[i] / ta[i];
    row("3k", "Lock+Unlock vs a raw mutex pair (WaitForSingleObject+ReleaseMutex), uncontended (time per pair)",
        median(ratio, reps), "-", -1, "Lock+Unlock %.2f us, raw pair %.2f us (%.2f..%.2f); two bare round trips "
        "to another thread, the keeper's floor, %.2f us",
        median(tb, reps) / m.calls * 1e6, median(ta, reps) / m.calls * 1e6, min_of(ratio, reps), max_of(ratio, reps),
        median(tc, reps) / m.calls * 1e6);
    h.quit = 1;
    SetEvent(h.ping);
    WaitForSingleObject(echo, INFINITE);
    CloseHandle(echo);
    CloseHandle(h.ping);
    CloseHandle(h.pong);
    CloseHandle(m.mutex);
    ISharedRegion_Release(m.region);
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

int pingpong_child(DWORD parent, ULONG trips)
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

void bench_pingpong(void)
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
