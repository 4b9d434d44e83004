/*
 * publisher: a telemetry publisher as real programs write them, with plain Win32 calls and no COM:
 * a named section holding one packed frame, the program's own mutex around every update, and its
 * own auto-reset event set after each frame, whose DACL lets everyone else only wait on it.
 *
 *   publisher NAME [FRAMES] [INTERVAL_MS] [LINGER_MS] [wait] [strict]
 *       Creates "Local\NAME" (4096 bytes; everyone may read, the owner may do anything), the mutex
 *       "Local\NAME_MUTEX" (everyone may wait on and release it) and the event
 *       "Local\NAME_DataValidEvent" (everyone: SYNCHRONIZE only; the owner: everything). Prints
 *       "ready", then publishes frames 1..FRAMES (default 40), one every INTERVAL_MS (default 100):
 *       each under the mutex, then SetEvent. Holds the last frame for LINGER_MS (default 3000) and exits.
 *       With "wait", frame 0 is published at once and frames 1.. only after a reader has set the event
 *       "Local\NAME_ReaderReady" (at most 30 s), so that a test sees the frames one by one.
 *
 * The frame, packed (no padding), little-endian; the format string is "<IfhHq33w64s":
 *   uint32  sequence      3000000000 + n (above 2^31: a script sees it only as an unsigned read)
 *   float   speed         n * 1.25 + 0.1, as float32
 *   int16   gear          n % 8 - 1 (-1 is reverse)
 *   uint16  rpm           n * 150 + 800
 *   int64   odometer_mm   9007199254740993 + 2n (beyond 2^53: exact only as a Decimal)
 *   wchar_t driver[33]    L"Ayrton Senna da Silva #n" (UTF-16, NUL-terminated)
 *   char    track[64]     "Nürburgring – Café Curve n" in cp1252 (ü 0xFC, – 0x96, é 0xE9)
 * client/examples/telemetry.vbs reads it; the test checks every field of every frame it sees.
 */
#include <windows.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#pragma pack(push, 1)
struct frame
{
    UINT32 sequence;
    float speed;
    INT16 gear;
    UINT16 rpm;
    INT64 odometer_mm;
    WCHAR driver[33];
    char track[64];
};
#pragma pack(pop)

_Static_assert(sizeof(struct frame) == 4 + 4 + 2 + 2 + 8 + 66 + 64, "the frame is packed");

/* A security descriptor: everyone gets `everyone` (an access mask), and the current user everything
 * unless `owner_full` is FALSE. */
static PSECURITY_DESCRIPTOR make_sd(DWORD everyone, BOOL owner_full)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    TOKEN_USER *user;
    HANDLE token;
    DWORD len = 0;
    WCHAR *sid = NULL, sddl[256];

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return NULL;
    GetTokenInformation(token, TokenUser, NULL, 0, &len);
    user = malloc(len);
    if (user && GetTokenInformation(token, TokenUser, user, len, &len) && ConvertSidToStringSidW(user->User.Sid, &sid))
    {
        if (owner_full) _snwprintf(sddl, ARRAY_SIZE(sddl), L"D:(A;;GA;;;%ls)(A;;0x%08lx;;;WD)", sid, everyone);
        else _snwprintf(sddl, ARRAY_SIZE(sddl), L"D:(A;;0x%08lx;;;WD)", everyone);
        sddl[ARRAY_SIZE(sddl) - 1] = 0;
        if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL)) sd = NULL;
        LocalFree(sid);
    }
    free(user);
    CloseHandle(token);
    return sd;
}

static void fill(struct frame *f, unsigned int n)
{
    char track[64];
    int len;

    memset(f, 0, sizeof(*f));
    f->sequence = 3000000000u + n;
    f->speed = (float)(n * 1.25 + 0.1);
    f->gear = (INT16)(n % 8) - 1;
    f->rpm = (UINT16)(n * 150 + 800);
    f->odometer_mm = 9007199254740993LL + 2 * (INT64)n;
    _snwprintf(f->driver, ARRAY_SIZE(f->driver) - 1, L"Ayrton Senna da Silva #%u", n);
    /* cp1252 bytes written out, as a program built for that code page has them in its strings. */
    len = _snprintf(track, sizeof(track) - 1, "N\xfcrburgring \x96 Caf\xe9 Curve %u", n);
    if (len > 0) memcpy(f->track, track, len);
}

int wmain(int argc, WCHAR **argv)
{
    SECURITY_ATTRIBUTES sa_section = { sizeof(sa_section), NULL, FALSE };
    SECURITY_ATTRIBUTES sa_mutex = { sizeof(sa_mutex), NULL, FALSE };
    SECURITY_ATTRIBUTES sa_event = { sizeof(sa_event), NULL, FALSE };
    WCHAR name[MAX_PATH];
    HANDLE section, mutex, event;
    unsigned int frames, interval, linger, n;
    BOOL wait_reader, strict = FALSE;
    int i;
    struct frame *view, next;

    if (argc < 2)
    {
        fwprintf(stderr, L"usage: publisher NAME [FRAMES] [INTERVAL_MS] [LINGER_MS]\n");
        return 2;
    }
    frames = argc > 2 ? wcstoul(argv[2], NULL, 10) : 40;
    interval = argc > 3 ? wcstoul(argv[3], NULL, 10) : 100;
    linger = argc > 4 ? wcstoul(argv[4], NULL, 10) : 3000;
    wait_reader = FALSE;
    for (i = 5; i < argc; i++)
    {
        if (!wcscmp(argv[i], L"wait")) wait_reader = TRUE;
        else if (!wcscmp(argv[i], L"strict")) strict = TRUE;
    }

    sa_section.lpSecurityDescriptor = make_sd(SECTION_QUERY | SECTION_MAP_READ, TRUE);
    sa_mutex.lpSecurityDescriptor = make_sd(SYNCHRONIZE | MUTEX_MODIFY_STATE, TRUE);
    sa_event.lpSecurityDescriptor = make_sd(SYNCHRONIZE, !strict);
    if (!sa_section.lpSecurityDescriptor || !sa_mutex.lpSecurityDescriptor || !sa_event.lpSecurityDescriptor)
    {
        fwprintf(stderr, L"publisher: cannot build the security descriptors (error %lu)\n", GetLastError());
        return 1;
    }
    _snwprintf(name, ARRAY_SIZE(name), L"Local\\%ls", argv[1]);
    name[ARRAY_SIZE(name) - 1] = 0;
    section = CreateFileMappingW(INVALID_HANDLE_VALUE, &sa_section, PAGE_READWRITE, 0, 4096, name);
    if (!section)
    {
        fwprintf(stderr, L"publisher: CreateFileMapping %ls failed (error %lu)\n", name, GetLastError());
        return 1;
    }
    _snwprintf(name, ARRAY_SIZE(name), L"Local\\%ls_MUTEX", argv[1]);
    name[ARRAY_SIZE(name) - 1] = 0;
    mutex = CreateMutexW(&sa_mutex, FALSE, name);
    _snwprintf(name, ARRAY_SIZE(name), L"Local\\%ls_DataValidEvent", argv[1]);
    name[ARRAY_SIZE(name) - 1] = 0;
    event = CreateEventW(&sa_event, FALSE, FALSE, name);
    view = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0);
    if (!mutex || !event || !view)
    {
        fwprintf(stderr, L"publisher: setting up %ls failed (error %lu)\n", argv[1], GetLastError());
        return 1;
    }
    printf("ready\n");
    fflush(stdout);

    if (wait_reader)
    {
        HANDLE hello;
        fill(&next, 0);
        memcpy(view, &next, sizeof(next));
        _snwprintf(name, ARRAY_SIZE(name), L"Local\\%ls_ReaderReady", argv[1]);
        name[ARRAY_SIZE(name) - 1] = 0;
        hello = CreateEventW(NULL, FALSE, FALSE, name);
        if (!hello || WaitForSingleObject(hello, 30000) != WAIT_OBJECT_0)
        {
            fwprintf(stderr, L"publisher: no reader set %ls within 30 s\n", name);
            return 1;
        }
        CloseHandle(hello);
    }

    for (n = 1; n <= frames; n++)
    {
        fill(&next, n);
        if (WaitForSingleObject(mutex, 10000) != WAIT_OBJECT_0)
        {
            fwprintf(stderr, L"publisher: the mutex was not released within 10 s\n");
            return 1;
        }
        memcpy(view, &next, sizeof(next));
        ReleaseMutex(mutex);
        SetEvent(event);
        Sleep(interval);
    }
    Sleep(linger);
    printf("published %u frames\n", frames);
    UnmapViewOfFile(view);
    CloseHandle(event);
    CloseHandle(mutex);
    CloseHandle(section);
    LocalFree(sa_section.lpSecurityDescriptor);
    LocalFree(sa_mutex.lpSecurityDescriptor);
    LocalFree(sa_event.lpSecurityDescriptor);
    return 0;
}
