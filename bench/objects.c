/*
 * What srbench's measures start from: SharedRegion objects (new, or a page-file-backed region by
 * name), the same section mapped by hand for the raw side, the caller's buffers and Byte() arrays,
 * names unique to the process, and sizes as text for the rows.
 */
#include "srbench.h"

VARIANT missing(void)
{
    VARIANT v;
    V_VT(&v) = VT_ERROR;
    V_ERROR(&v) = DISP_E_PARAMNOTFOUND;
    return v;
}

VARIANT vnum(double d)
{
    VARIANT v;
    V_VT(&v) = VT_R8;
    V_R8(&v) = d;
    return v;
}

ISharedRegion *new_region(void)
{
    ISharedRegion *r = NULL;
    CHECK(CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&r));
    return r;
}

/* A page-file-backed region; name "" makes it anonymous. */
ISharedRegion *create_region(const WCHAR *name, ULONGLONG size)
{
    ISharedRegion *r = new_region();
    BSTR b = SysAllocString(name);
    CHECK(ISharedRegion_Create(r, b, (double)size, missing()));
    SysFreeString(b);
    return r;
}

const WCHAR *bench_name(const WCHAR *stem, WCHAR *buf, size_t len)
{
    swprintf(buf, len, L"srbench-%ls-%lu", stem, GetCurrentProcessId());
    return buf;
}

/* The same section, mapped by hand (what a program without SharedRegion does). */
BYTE *map_raw(const WCHAR *name, ULONGLONG offset, ULONGLONG size, HANDLE *section)
{
    WCHAR full[300];
    BYTE *p;

    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    *section = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, full);
    CHECK_WIN32(*section, "OpenFileMapping");
    p = MapViewOfFile(*section, FILE_MAP_READ | FILE_MAP_WRITE, (DWORD)(offset >> 32), (DWORD)offset, (SIZE_T)size);
    CHECK_WIN32(p, "MapViewOfFile");
    return p;
}

BYTE *alloc_buffer(ULONGLONG size)
{
    BYTE *p = VirtualAlloc(NULL, (SIZE_T)size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    CHECK_WIN32(p, "VirtualAlloc");
    memset(p, 0x5a, (SIZE_T)size);
    return p;
}

/* A Byte() holding n bytes (what a caller passes to WriteBytes). */
VARIANT byte_array(const BYTE *bytes, ULONGLONG n)
{
    VARIANT v;
    void *p;

    V_VT(&v) = VT_ARRAY | VT_UI1;
    V_ARRAY(&v) = SafeArrayCreateVector(VT_UI1, 0, (ULONG)n);
    if (!V_ARRAY(&v)) die("SafeArrayCreateVector", E_OUTOFMEMORY);
    SafeArrayAccessData(V_ARRAY(&v), &p);
    memcpy(p, bytes, (size_t)n);
    SafeArrayUnaccessData(V_ARRAY(&v));
    return v;
}

const char *size_text(ULONGLONG n, char *buf)
{
    if (n >= MIB) sprintf(buf, "%u MiB", (unsigned int)(n / MIB));
    else sprintf(buf, "%u KiB", (unsigned int)(n / KIB));
    return buf;
}
