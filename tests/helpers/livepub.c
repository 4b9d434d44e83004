/*
 * livepub: a live publisher for the Snapshot and WaitChange tests and examples, written the way
 * telemetry and monitor programs write theirs: plain Win32, no COM, one named section that it keeps
 * rewriting while readers read, guarded by the publisher's own protocol.
 *
 *   livepub MODE NAME [--ms N] [--gap-us N] [--delay N]
 *
 * It creates the section Local\NAME (64 KiB) and the manual-reset events Local\NAME_Ready (set once
 * the first frame is in place) and Local\NAME_Stop (it stops when someone sets it), prints "ready",
 * and writes until Local\NAME_Stop is set or N ms (--ms, default 30000: its own timeout) have passed.
 * Then it prints "wrote N frames" and exits 0 (2: bad usage, 1: a system call failed).
 *
 * Every frame is self-checking: all its numbers derive from one frame number n. The payload, 1024
 * bytes: uint32 frame = n; uint32 field[254] with field[k] = n * 254 + k (modulo 2^32); uint32 check =
 * n + the sum of the fields (modulo 2^32). A copy that mixes two frames fails these formulas.
 *
 * MODE, and the layout it writes (offsets in bytes):
 *   seq    a sequence lock (Project CARS 2 / AMS2's mSequenceNumber): uint32 counter at 0 and a uint64
 *          counter at 8, both made odd before a frame is written and even after it (after frame n:
 *          2n, and 2^40 + 2n); the payload at 64.
 *   pair   a begin/end version pair (rFactor 2's mVersionUpdateBegin/End): uint32 begin at 0, bumped
 *          before a frame is written, uint32 end at 4, bumped after (after frame n: both n); the
 *          payload at 64.
 *   tick   rotating buffers, iRacing style: a 112-byte header (int ver 2, status 1, tickRate 60, ...,
 *          numBuf 3 at 32, bufLen 1024 at 36, then varBuf[4] from 48, 16 bytes each: int tickCount,
 *          int bufOffset). Frame n goes to buffer n % 3 (at 4096 * (1 + n % 3)), and then that
 *          buffer's tickCount becomes n. A buffer is rewritten every third frame, so the newest one is
 *          never rewritten within two frame periods: the publisher paces its frames (--gap-us,
 *          default 1000), as iRacing does at 60 Hz, which is what makes a tick guard sound.
 *   lock   a mutex held while writing, HWiNFO style: the mutex Local\NAME_MUTEX, and at 0 a packed
 *          44-byte header (uint32 signature "HWiS", version 2, revision 0, int64 poll_time = n at 12,
 *          then uint32 offset, size and count of the sensor array at 20, 24, 28, and of the reading
 *          array at 32, 36, 40); 4 sensors of 264 bytes (uint32 id, instance, char name[128],
 *          user_name[128]) at 44; 16 readings of 316 bytes (uint32 type, sensor index, id, char
 *          label[128], user_label[128], unit[16], then doubles value = n * 16 + k at 284, min = n,
 *          max = n + 16, average = n + 0.5) at 1100.
 *   stuck  the seq layout with frame 3 in place and both counters left odd (7, and 2^40 + 7): a
 *          publisher that died or hangs in the middle of a write.
 *   hold   the lock layout with frame 1; it takes the mutex and keeps it, and exits still holding it
 *          (the next owner finds it abandoned).
 *   bump   uint32 100 at 0; after --delay ms (default 500) it becomes 101, once.
 * Between frames the publisher spends --gap-us microseconds (default 2; tick 1000), as a program that
 * computes its next frame does: spinning below 1000 us, sleeping from 1000 us. With 0 it writes back
 * to back, and a sequence-lock reader may then never find a moment without a write in progress.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define SECTION_SIZE (64 * 1024)
#define FIELDS 254
#define SEQ64_BASE ((LONGLONG)1 << 40)

struct payload
{
    UINT32 frame;
    UINT32 field[FIELDS];
    UINT32 check;
};

#pragma pack(push, 1)
struct hw_header
{
    UINT32 signature, version, revision;
    INT64 poll_time;
    UINT32 sensor_offset, sensor_size, sensor_count, reading_offset, reading_size, reading_count;
};
struct hw_sensor
{
    UINT32 id, instance;
    char name[128], user_name[128];
};
struct hw_reading
{
    UINT32 type, sensor_index, id;
    char label[128], user_label[128], unit[16];
    double value, min, max, average;
};
#pragma pack(pop)

#define HW_SENSORS 4
#define HW_READINGS 16

_Static_assert(sizeof(struct payload) == 1024, "the payload is 1 KiB");
_Static_assert(sizeof(struct hw_header) == 44 && sizeof(struct hw_sensor) == 264 && sizeof(struct hw_reading) == 316,
               "HWiNFO's packed layout");

struct ir_header
{
    int ver, status, tick_rate, session_info_update, session_info_len, session_info_offset;
    int num_vars, var_header_offset, num_buf, buf_len, pad[2];
    struct { int tick_count, buf_offset, pad[2]; } var_buf[4];
};
_Static_assert(sizeof(struct ir_header) == 112, "iRacing's header");

static BYTE *view;
static HANDLE stop_event;
static ULONGLONG deadline, last_tick;
static LONGLONG gap_ticks;
static DWORD gap_us;

static void make_payload(struct payload *p, UINT32 n)
{
    UINT32 sum = n, k;

    p->frame = n;
    for (k = 0; k < FIELDS; k++)
    {
        p->field[k] = n * FIELDS + k;
        sum += p->field[k];
    }
    p->check = sum;
}

/* The frame into shared memory one 32-bit word at a time, as a program's stores reach it: a reader
 * that copies meanwhile sees some words of the new frame and some of the old. */
static void store_payload(BYTE *at, const struct payload *p)
{
    volatile UINT32 *dst = (volatile UINT32 *)at;
    const UINT32 *src = (const UINT32 *)p;
    size_t i;

    for (i = 0; i < sizeof(*p) / 4; i++) dst[i] = src[i];
}

/* Time to stop? The stop event is looked at when the millisecond count moves, not on every frame. */
static BOOL should_stop(void)
{
    ULONGLONG now = GetTickCount64();

    if (now == last_tick) return FALSE;
    last_tick = now;
    return now >= deadline || WaitForSingleObject(stop_event, 0) == WAIT_OBJECT_0;
}

/* The time between two frames: spin below a millisecond, sleep from one. */
static void gap(void)
{
    LARGE_INTEGER t0, t;

    if (!gap_us) return;
    if (gap_us >= 1000)
    {
        Sleep(gap_us / 1000);
        return;
    }
    QueryPerformanceCounter(&t0);
    do
    {
        YieldProcessor();
        QueryPerformanceCounter(&t);
    } while (t.QuadPart - t0.QuadPart < gap_ticks);
}

static void wait_for_stop(void)
{
    while (!should_stop()) Sleep(1);
}

static void hw_frame(UINT32 n)
{
    struct hw_header *h = (struct hw_header *)view;
    struct hw_reading *r = (struct hw_reading *)(view + h->reading_offset);
    UINT32 k;

    h->poll_time = n;
    for (k = 0; k < HW_READINGS; k++)
    {
        r[k].value = (double)n * 16 + k;
        r[k].min = n;
        r[k].max = (double)n + 16;
        r[k].average = n + 0.5;
    }
}

static void hw_layout(void)
{
    struct hw_header *h = (struct hw_header *)view;
    struct hw_sensor *s = (struct hw_sensor *)(view + sizeof(*h));
    struct hw_reading *r = (struct hw_reading *)(view + sizeof(*h) + HW_SENSORS * sizeof(*s));
    UINT32 k;

    h->signature = 0x53695748; /* "HWiS" */
    h->version = 2;
    h->revision = 0;
    h->sensor_offset = sizeof(*h);
    h->sensor_size = sizeof(*s);
    h->sensor_count = HW_SENSORS;
    h->reading_offset = sizeof(*h) + HW_SENSORS * sizeof(*s);
    h->reading_size = sizeof(*r);
    h->reading_count = HW_READINGS;
    for (k = 0; k < HW_SENSORS; k++)
    {
        s[k].id = 0xf0000000 + k;
        s[k].instance = k;
        _snprintf(s[k].name, sizeof(s[k].name) - 1, "Sensor %u", k);
        memcpy(s[k].user_name, s[k].name, sizeof(s[k].name));
    }
    for (k = 0; k < HW_READINGS; k++)
    {
        r[k].type = 1 + k % 7;
        r[k].sensor_index = k % HW_SENSORS;
        r[k].id = 0x1000000 + k;
        _snprintf(r[k].label, sizeof(r[k].label) - 1, "Reading %u", k);
        memcpy(r[k].user_label, r[k].label, sizeof(r[k].label));
        strcpy(r[k].unit, "MHz");
    }
}

int wmain(int argc, WCHAR **argv)
{
    WCHAR name[MAX_PATH];
    const WCHAR *mode;
    HANDLE section, ready, mutex = NULL;
    LARGE_INTEGER freq;
    DWORD ms = 30000, delay = 500;
    UINT32 n = 0;
    struct payload p;
    int i;

    if (argc < 3)
    {
        fwprintf(stderr, L"usage: livepub seq|pair|tick|lock|stuck|hold|bump NAME [--ms N] [--gap-us N] [--delay N]\n");
        return 2;
    }
    mode = argv[1];
    gap_us = wcscmp(mode, L"tick") ? 2 : 1000;
    for (i = 3; i + 1 < argc; i += 2)
    {
        DWORD v = wcstoul(argv[i + 1], NULL, 10);
        if (!wcscmp(argv[i], L"--ms")) ms = v;
        else if (!wcscmp(argv[i], L"--gap-us")) gap_us = v;
        else if (!wcscmp(argv[i], L"--delay")) delay = v;
        else
        {
            fwprintf(stderr, L"livepub: unknown option %ls\n", argv[i]);
            return 2;
        }
    }
    QueryPerformanceFrequency(&freq);
    gap_ticks = freq.QuadPart * gap_us / 1000000;
    deadline = GetTickCount64() + ms;

    _snwprintf(name, ARRAY_SIZE(name), L"Local\\%ls", argv[2]);
    name[ARRAY_SIZE(name) - 1] = 0;
    section = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, SECTION_SIZE, name);
    if (!section || !(view = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0)))
    {
        fwprintf(stderr, L"livepub: cannot create and map %ls (error %lu)\n", name, GetLastError());
        return 1;
    }
    _snwprintf(name, ARRAY_SIZE(name), L"Local\\%ls_Stop", argv[2]);
    name[ARRAY_SIZE(name) - 1] = 0;
    stop_event = CreateEventW(NULL, TRUE, FALSE, name);
    _snwprintf(name, ARRAY_SIZE(name), L"Local\\%ls_Ready", argv[2]);
    name[ARRAY_SIZE(name) - 1] = 0;
    ready = CreateEventW(NULL, TRUE, FALSE, name);
    if (!wcscmp(mode, L"lock") || !wcscmp(mode, L"hold"))
    {
        _snwprintf(name, ARRAY_SIZE(name), L"Local\\%ls_MUTEX", argv[2]);
        name[ARRAY_SIZE(name) - 1] = 0;
        mutex = CreateMutexW(NULL, FALSE, name);
    }
    if (!stop_event || !ready || ((!wcscmp(mode, L"lock") || !wcscmp(mode, L"hold")) && !mutex))
    {
        fwprintf(stderr, L"livepub: cannot create its events or mutex (error %lu)\n", GetLastError());
        return 1;
    }

    if (!wcscmp(mode, L"seq") || !wcscmp(mode, L"stuck"))
    {
        volatile LONG *seq32 = (volatile LONG *)view;
        volatile LONGLONG *seq64 = (volatile LONGLONG *)(view + 8);
        BOOL stuck = !wcscmp(mode, L"stuck");

        make_payload(&p, stuck ? 3 : 1);
        store_payload(view + 64, &p);
        n = stuck ? 3 : 1;
        InterlockedExchange(seq32, stuck ? 7 : 2);
        InterlockedExchange64(seq64, SEQ64_BASE + (stuck ? 7 : 2));
        SetEvent(ready);
        printf("ready\n");
        fflush(stdout);
        if (stuck) wait_for_stop();
        while (!stuck && !should_stop())
        {
            make_payload(&p, ++n);
            InterlockedIncrement(seq32);   /* odd: a write is in progress (a full barrier each) */
            InterlockedIncrement64(seq64);
            store_payload(view + 64, &p);
            InterlockedIncrement64(seq64); /* even: frame n is whole */
            InterlockedIncrement(seq32);
            gap();
        }
    }
    else if (!wcscmp(mode, L"pair"))
    {
        volatile LONG *begin = (volatile LONG *)view, *end = (volatile LONG *)(view + 4);

        make_payload(&p, ++n);
        store_payload(view + 64, &p);
        InterlockedExchange(begin, 1);
        InterlockedExchange(end, 1);
        SetEvent(ready);
        printf("ready\n");
        fflush(stdout);
        while (!should_stop())
        {
            make_payload(&p, ++n);
            InterlockedIncrement(begin);
            store_payload(view + 64, &p);
            InterlockedIncrement(end);
            gap();
        }
    }
    else if (!wcscmp(mode, L"tick"))
    {
        struct ir_header *h = (struct ir_header *)view;
        int b;

        h->ver = 2;
        h->status = 1;
        h->tick_rate = 60;
        h->num_buf = 3;
        h->buf_len = sizeof(struct payload);
        for (b = 0; b < 3; b++) h->var_buf[b].buf_offset = 4096 * (1 + b);
        for (n = 1; n <= 3; n++) /* every buffer holds a frame before readers come */
        {
            make_payload(&p, n);
            store_payload(view + 4096 * (1 + n % 3), &p);
            InterlockedExchange((volatile LONG *)&h->var_buf[n % 3].tick_count, n);
        }
        n = 3;
        SetEvent(ready);
        printf("ready\n");
        fflush(stdout);
        while (!should_stop())
        {
            make_payload(&p, ++n);
            store_payload(view + 4096 * (1 + n % 3), &p);
            InterlockedExchange((volatile LONG *)&h->var_buf[n % 3].tick_count, n); /* after the data, as iRacing */
            gap();
        }
    }
    else if (!wcscmp(mode, L"lock") || !wcscmp(mode, L"hold"))
    {
        BOOL hold = !wcscmp(mode, L"hold");

        hw_layout();
        hw_frame(++n);
        if (hold && WaitForSingleObject(mutex, 10000) != WAIT_OBJECT_0)
        {
            fwprintf(stderr, L"livepub: cannot take its own mutex\n");
            return 1;
        }
        SetEvent(ready);
        printf("ready\n");
        fflush(stdout);
        if (hold) wait_for_stop(); /* and exit holding it: the mutex is abandoned */
        while (!hold && !should_stop())
        {
            if (WaitForSingleObject(mutex, 10000) != WAIT_OBJECT_0)
            {
                fwprintf(stderr, L"livepub: the mutex was not free within 10 s\n");
                return 1;
            }
            hw_frame(++n);
            ReleaseMutex(mutex);
            gap();
        }
    }
    else if (!wcscmp(mode, L"bump"))
    {
        volatile LONG *value = (volatile LONG *)view;

        InterlockedExchange(value, 100);
        SetEvent(ready);
        printf("ready\n");
        fflush(stdout);
        Sleep(delay);
        InterlockedExchange(value, 101);
        n = 1;
        wait_for_stop();
    }
    else
    {
        fwprintf(stderr, L"livepub: unknown mode %ls\n", mode);
        return 2;
    }
    printf("wrote %u frames\n", n);
    fflush(stdout);
    return 0;
}
