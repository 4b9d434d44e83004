/*
 * rawsection: a test helper that uses named file mappings with plain Win32 calls and no COM at
 * all, to show that SharedRegion interoperates with programs that never heard of it.
 *
 *   rawsection create NAME SIZE SEED [TIMEOUT_MS]
 *       CreateFileMapping "Local\NAME" (SIZE bytes), write the pattern for SEED into it, print
 *       "ready", then hold it until stdin ends (or TIMEOUT_MS, default 60000, passes: exit 5).
 *       On release it prints "final: " and the hex of the first 16 bytes, as they are then.
 *   rawsection verify NAME SIZE SEED
 *       OpenFileMapping "Local\NAME" and compare SIZE bytes with the pattern: exit 0 and
 *       "verified SIZE bytes", or exit 1 and the first mismatch. Exit 3 if the name does not exist.
 *   rawsection lock NAME [TIMEOUT_MS] [exit]
 *       Take the region's lock mutex "Local\NAME@SharedRegion.Lock" directly, print "locked",
 *       hold it until stdin ends, release it. Exit 5 if it could not be taken in TIMEOUT_MS.
 *       With "exit": end the process (ExitProcess, exit code 0) still holding it, never releasing.
 *   rawsection signal NAME
 *       Set the region's signal event "Local\NAME@SharedRegion.Signal" directly.
 *
 * The pattern: byte i of a region for SEED is pattern_byte(i, SEED) below (the tests use the
 * same formula).
 */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static BYTE pattern_byte(ULONGLONG i, unsigned seed)
{
    ULONGLONG x = (i + 1) * 0x9e3779b97f4a7c15ULL + seed;
    x ^= x >> 29;
    return (BYTE)(x * 0xbf58476d1ce4e5b9ULL >> 56);
}

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

static void kernel_name(WCHAR *out, size_t len, const WCHAR *name, const WCHAR *suffix)
{
    _snwprintf(out, len, L"Local\\%ls%ls", name, suffix);
    out[len - 1] = 0;
}

/* Wait until stdin ends (the test closes its end of the pipe), at most timeout ms. */
static DWORD WINAPI drain_stdin(void *arg)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    char buf[256];
    DWORD n;
    while (ReadFile(in, buf, sizeof(buf), &n, NULL) && n) {}
    return 0;
}

static BOOL wait_stdin_end(DWORD timeout)
{
    HANDLE t = CreateThread(NULL, 0, drain_stdin, NULL, 0, NULL);
    DWORD res;
    if (!t) return FALSE;
    res = WaitForSingleObject(t, timeout);
    CloseHandle(t);
    return res == WAIT_OBJECT_0;
}

static int do_create(const WCHAR *name, ULONGLONG size, unsigned seed, DWORD timeout)
{
    WCHAR kname[400];
    HANDLE section;
    BYTE *p;
    ULONGLONG i;
    int rc = 0;

    kernel_name(kname, ARRAY_SIZE(kname), name, L"");
    section = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, (DWORD)(size >> 32), (DWORD)size, kname);
    if (!section)
    {
        say("rawsection: CreateFileMapping(%ls) failed with error %lu\n", kname, GetLastError());
        return 1;
    }
    if (GetLastError() == ERROR_ALREADY_EXISTS)
    {
        say("rawsection: %ls already exists\n", kname);
        CloseHandle(section);
        return 4;
    }
    if (!(p = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, (SIZE_T)size)))
    {
        say("rawsection: MapViewOfFile failed with error %lu\n", GetLastError());
        CloseHandle(section);
        return 1;
    }
    for (i = 0; i < size; i++) p[i] = pattern_byte(i, seed);
    say("ready: %ls, %I64u bytes, seed %u\n", kname, size, seed);
    if (!wait_stdin_end(timeout))
    {
        say("rawsection: nobody released the section within %lu ms\n", timeout);
        rc = 5;
    }
    say("final:");
    for (i = 0; i < 16 && i < size; i++) say(" %02x", p[i]);
    say("\n");
    UnmapViewOfFile(p);
    CloseHandle(section);
    return rc;
}

static int do_verify(const WCHAR *name, ULONGLONG size, unsigned seed)
{
    WCHAR kname[400];
    HANDLE section;
    BYTE *p;
    ULONGLONG i;
    int rc = 0;

    kernel_name(kname, ARRAY_SIZE(kname), name, L"");
    if (!(section = OpenFileMappingW(FILE_MAP_READ, FALSE, kname)))
    {
        DWORD e = GetLastError();
        say("rawsection: OpenFileMapping(%ls) failed with error %lu\n", kname, e);
        return e == ERROR_FILE_NOT_FOUND ? 3 : 1;
    }
    if (!(p = MapViewOfFile(section, FILE_MAP_READ, 0, 0, (SIZE_T)size)))
    {
        say("rawsection: MapViewOfFile of %I64u bytes failed with error %lu\n", size, GetLastError());
        CloseHandle(section);
        return 1;
    }
    for (i = 0; i < size; i++)
        if (p[i] != pattern_byte(i, seed))
        {
            say("mismatch at offset %I64u: 0x%02x, expected 0x%02x\n", i, p[i], pattern_byte(i, seed));
            rc = 1;
            break;
        }
    if (!rc) say("verified %I64u bytes\n", size);
    UnmapViewOfFile(p);
    CloseHandle(section);
    return rc;
}

static int do_lock(const WCHAR *name, DWORD timeout, BOOL exit_holding)
{
    WCHAR kname[400];
    HANDLE m;
    DWORD res;

    kernel_name(kname, ARRAY_SIZE(kname), name, L"@SharedRegion.Lock");
    if (!(m = CreateMutexW(NULL, FALSE, kname)))
    {
        say("rawsection: CreateMutex(%ls) failed with error %lu\n", kname, GetLastError());
        return 1;
    }
    res = WaitForSingleObject(m, timeout);
    if (res != WAIT_OBJECT_0 && res != WAIT_ABANDONED)
    {
        say("rawsection: could not take %ls within %lu ms\n", kname, timeout);
        CloseHandle(m);
        return 5;
    }
    say("locked %ls\n", kname);
    wait_stdin_end(60000);
    if (exit_holding)
    {
        say("exiting without releasing the lock\n");
        ExitProcess(0);
    }
    ReleaseMutex(m);
    say("unlocked\n");
    CloseHandle(m);
    return 0;
}

static int do_signal(const WCHAR *name)
{
    WCHAR kname[400];
    HANDLE e;

    kernel_name(kname, ARRAY_SIZE(kname), name, L"@SharedRegion.Signal");
    if (!(e = CreateEventW(NULL, FALSE, FALSE, kname)))
    {
        say("rawsection: CreateEvent(%ls) failed with error %lu\n", kname, GetLastError());
        return 1;
    }
    SetEvent(e);
    say("signalled %ls\n", kname);
    CloseHandle(e);
    return 0;
}

int wmain(int argc, WCHAR **argv)
{
    ULONGLONG size;
    unsigned seed;

    if (argc >= 5 && !wcscmp(argv[1], L"create"))
    {
        size = _wcstoui64(argv[3], NULL, 0);
        seed = (unsigned)wcstoul(argv[4], NULL, 0);
        return do_create(argv[2], size, seed, argc > 5 ? wcstoul(argv[5], NULL, 0) : 60000);
    }
    if (argc == 5 && !wcscmp(argv[1], L"verify"))
    {
        size = _wcstoui64(argv[3], NULL, 0);
        seed = (unsigned)wcstoul(argv[4], NULL, 0);
        return do_verify(argv[2], size, seed);
    }
    if (argc >= 3 && !wcscmp(argv[1], L"lock"))
        return do_lock(argv[2], argc > 3 ? wcstoul(argv[3], NULL, 0) : 10000, argc > 4 && !wcscmp(argv[4], L"exit"));
    if (argc == 3 && !wcscmp(argv[1], L"signal"))
        return do_signal(argv[2]);
    fprintf(stderr, "usage: rawsection create NAME SIZE SEED [TIMEOUT_MS] | verify NAME SIZE SEED |\n"
                    "       lock NAME [TIMEOUT_MS] [exit] | signal NAME\n");
    return 2;
}
