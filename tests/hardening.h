/*
 * SharedRegion tests: helpers shared by the hardening suites (bad input, fuzz, concurrency,
 * leaks, faults, security). Included after common.h, once per test program.
 */
#ifndef SHAREDREGION_TESTS_HARDENING_H
#define SHAREDREGION_TESTS_HARDENING_H

#include "common.h"

/* ---- a region's bytes, read behind the server's back ---- */

/* FNV-1a over n bytes. */
static inline ULONGLONG fnv64(const void *data, SIZE_T n)
{
    const BYTE *p = data;
    ULONGLONG h = 0xcbf29ce484222325ULL;
    while (n--) h = (h ^ *p++) * 0x100000001b3ULL;
    return h;
}

/* A read-only view of a section opened by its kernel name ("Local\\x"), for checksums. */
struct raw_view
{
    HANDLE section;
    const BYTE *base;
    SIZE_T size;
};

static inline void raw_open(struct raw_view *raw, const WCHAR *kernel_name, SIZE_T size)
{
    raw->section = OpenFileMappingW(FILE_MAP_READ, FALSE, kernel_name);
    if (!raw->section) fail_msg("OpenFileMapping(%ls) failed: %lu", kernel_name, GetLastError());
    raw->base = MapViewOfFile(raw->section, FILE_MAP_READ, 0, 0, size);
    if (!raw->base) fail_msg("MapViewOfFile(%ls) failed: %lu", kernel_name, GetLastError());
    raw->size = size;
}

static inline void raw_close(struct raw_view *raw)
{
    if (raw->base) UnmapViewOfFile(raw->base);
    if (raw->section) CloseHandle(raw->section);
    memset(raw, 0, sizeof(*raw));
}

static inline ULONGLONG raw_checksum(const struct raw_view *raw)
{
    return fnv64(raw->base, raw->size);
}

/* The test pattern: no zero byte (so strings run to the end), many bytes >= 0x80 (so that the
 * bytes are not valid UTF-8), different at every offset of a 64 KiB region. */
static inline BYTE pattern_byte(ULONGLONG i)
{
    BYTE b = (BYTE)(i * 167 + (i >> 8) * 13 + 0x5b);
    return b ? b : 0x80;
}

static inline void fill_pattern(BYTE *p, SIZE_T n, ULONGLONG first)
{
    SIZE_T i;
    for (i = 0; i < n; i++) p[i] = pattern_byte(first + i);
}

/* ---- handles of this process (GetProcessHandleCount is a stub under Wine: use the system list) ---- */

typedef struct
{
    ULONG ProcessId;
    BYTE ObjectTypeNumber;
    BYTE Flags;
    USHORT Handle;
    void *Object;
    ACCESS_MASK GrantedAccess;
} sr_handle_entry;

typedef struct
{
    ULONG NumberOfHandles;
    sr_handle_entry Handles[1];
} sr_handle_info;

/* How many handles this process holds, from NtQuerySystemInformation(SystemHandleInformation);
 * -1 when the system does not answer. */
static inline LONG process_handle_count(void)
{
    static LONG (WINAPI *query)(ULONG, void *, ULONG, ULONG *);
    static BYTE *buf;
    static ULONG size = 1 << 20;
    ULONG ret = 0, i;
    LONG status, n = 0;
    sr_handle_info *info;

    if (!query) query = (void *)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation");
    if (!query) return -1;
    for (;;)
    {
        if (!buf && !(buf = HeapAlloc(GetProcessHeap(), 0, size))) return -1;
        status = query(16 /* SystemHandleInformation */, buf, size, &ret);
        if (status != (LONG)0xc0000004 /* STATUS_INFO_LENGTH_MISMATCH */) break;
        HeapFree(GetProcessHeap(), 0, buf);
        buf = NULL;
        size *= 2;
    }
    if (status) return -1;
    info = (sr_handle_info *)buf;
    for (i = 0; i < info->NumberOfHandles; i++)
        if (info->Handles[i].ProcessId == GetCurrentProcessId()) n++;
    return n;
}

/* The handles of this process, as values, for comparing two moments (up to max). */
static inline unsigned int process_handles(USHORT *out, unsigned int max)
{
    sr_handle_info *info;
    unsigned int n = 0, i;

    if (process_handle_count() < 0) return 0;   /* fills the buffer below */
    {
        static LONG (WINAPI *query)(ULONG, void *, ULONG, ULONG *);
        static BYTE buf[1 << 20];
        ULONG ret;
        if (!query) query = (void *)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation");
        if (query(16, buf, sizeof(buf), &ret)) return 0;
        info = (sr_handle_info *)buf;
    }
    for (i = 0; i < info->NumberOfHandles && n < max; i++)
        if (info->Handles[i].ProcessId == GetCurrentProcessId()) out[n++] = info->Handles[i].Handle;
    return n;
}

/* A counted string as NtQueryObject returns it. */
typedef struct { USHORT Length, MaximumLength; WCHAR *Buffer; } sr_counted_string;

/* What a handle is, in words: its object type and name. */
static inline void describe_handle(HANDLE h, WCHAR *buf, size_t size)
{
    static LONG (WINAPI *query)(HANDLE, ULONG, void *, ULONG, ULONG *);
    BYTE type[1024], name[2048];
    ULONG len;
    sr_counted_string *t = (sr_counted_string *)type, *nm = (sr_counted_string *)name;

    if (!query) query = (void *)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQueryObject");
    if (query(h, 2 /* ObjectTypeInformation */, type, sizeof(type), &len)) t->Length = 0;
    if (query(h, 1 /* ObjectNameInformation */, name, sizeof(name), &len)) nm->Length = 0;
    swprintf(buf, size, L"%.*ls '%.*ls'", t->Length / 2, t->Buffer, nm->Length / 2, nm->Buffer);
}

/* ---- Wine ---- */

static inline const char *wine_version(void)
{
    const char *(CDECL *get)(void) = (void *)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version");
    return get ? get() : NULL;
}

/* ---- temporary files ---- */

static inline void temp_path(WCHAR *path, size_t size, const WCHAR *stem)
{
    WCHAR dir[MAX_PATH];
    GetTempPathW(ARRAY_SIZE(dir), dir);
    swprintf(path, size, L"%lssr-hard-%ls-%lu.bin", dir, stem, GetCurrentProcessId());
}

/* Write n bytes of the pattern (or zeros) to a new file; returns FALSE on failure. */
static inline BOOL write_file(const WCHAR *path, SIZE_T n, BOOL pattern)
{
    HANDLE f = CreateFileW(path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    BYTE *buf;
    DWORD done = 0;
    BOOL ok;

    if (f == INVALID_HANDLE_VALUE) return FALSE;
    buf = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, n ? n : 1);
    if (pattern) fill_pattern(buf, n, 0);
    ok = WriteFile(f, buf, (DWORD)n, &done, NULL) && done == n;
    HeapFree(GetProcessHeap(), 0, buf);
    CloseHandle(f);
    return ok;
}

/* Release every COM object and check the server is idle: DllCanUnloadNow says S_OK. */
static inline void assert_server_idle(void)
{
    assert_int_equal(server_can_unload_now(), S_OK);
}

/* Milliseconds since some start, for time caps. */
static inline double now_ms(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;
    if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

#endif
