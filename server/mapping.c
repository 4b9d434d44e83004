/*
 * SharedRegion server: the kernel-object layer.
 *
 * Every CreateFileMapping/OpenFileMapping/CreateFile/MapViewOfFile/UnmapViewOfFile and every
 * CloseHandle of the server is in this file:
 *   - struct sr_mapping owns the section, the file, the lock mutex and the signal event;
 *     mapping_release closes them all when the last reference goes;
 *   - struct sr_span owns one mapped view and one mapping reference; span_unbind unmaps
 *     the view and drops the reference.
 * A view object holds its own span, so its memory stays valid after the region object that
 * made it is closed or released (lifetime rule 1). When the last span and the last region
 * go, the last mapping reference goes, and with it every handle (rule 2).
 */
#include <wchar.h>
#include "private.h"
#include <sddl.h>

static DWORD allocation_granularity(void)
{
    static DWORD granularity;
    if (!granularity)
    {
        SYSTEM_INFO si;
        GetSystemInfo(&si);
        granularity = si.dwAllocationGranularity;
    }
    return granularity;
}

/* ---- names ---- */

static BOOL has_prefix(const WCHAR *s, const WCHAR *prefix)
{
    return !_wcsnicmp(s, prefix, wcslen(prefix));
}

HRESULT normalize_name(const WCHAR *method, const WCHAR *name, WCHAR **kernel_name)
{
    const WCHAR *ns = L"Local\\", *rest = name;
    size_t len;

    *kernel_name = NULL;
    if (!name || !*name) return S_OK; /* anonymous */
    if (has_prefix(name, L"Global\\")) { ns = L"Global\\"; rest = name + 7; }
    else if (has_prefix(name, L"Local\\")) { rest = name + 6; }
    /* The limit is on the name itself: "x" and "Local\\x" are the same region and obey the same rule. */
    len = wcslen(rest);
    if (len > MAX_PATH)
        return sr_error(E_INVALIDARG, &IID_ISharedRegion,
                        L"%ls: the name is %Iu characters long; the longest allowed is %u", method, len, MAX_PATH);
    if (!*rest)
        return sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: the name '%ls' has nothing after its namespace",
                        method, name);
    if (wcschr(rest, '\\'))
        return sr_error(E_INVALIDARG, &IID_ISharedRegion,
                        L"%ls: the name '%ls' contains a backslash; only the namespace prefix (Local\\ or Global\\) may have one",
                        method, name);
    if (!(*kernel_name = HeapAlloc(GetProcessHeap(), 0, (wcslen(ns) + wcslen(rest) + 1) * sizeof(WCHAR))))
        return sr_error(E_OUTOFMEMORY, &IID_ISharedRegion, L"%ls: out of memory", method);
    wcscpy(*kernel_name, ns);
    wcscat(*kernel_name, rest);
    return S_OK;
}

/* ---- mappings ---- */

/* A new mapping that owns section; on failure the section is closed and the error set. */
static HRESULT mapping_adopt(const struct sr_bind *bind, HANDLE section, struct sr_mapping **out)
{
    struct sr_mapping *map = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*map));

    *out = NULL;
    if (map && bind->name && !(map->name = sr_strdupW(bind->name)))
    {
        HeapFree(GetProcessHeap(), 0, map);
        map = NULL;
    }
    if (!map)
    {
        CloseHandle(section);
        return sr_error(E_OUTOFMEMORY, &IID_ISharedRegion, L"%ls: out of memory", bind->method);
    }
    map->ref = 1;
    map->access = bind->access;
    map->section = section;
    *out = map;
    return S_OK;
}

void mapping_addref(struct sr_mapping *map)
{
    InterlockedIncrement(&map->ref);
}

void mapping_release(struct sr_mapping *map)
{
    if (!map || InterlockedDecrement(&map->ref)) return;
    TRACE("closing section %p (%ls)", map->section, map->name ? map->name : L"anonymous");
    if (map->section) CloseHandle(map->section);
    if (map->file) CloseHandle(map->file);
    if (map->lock) CloseHandle(map->lock);
    if (map->signal) CloseHandle(map->signal);
    if (map->sd) LocalFree(map->sd);
    HeapFree(GetProcessHeap(), 0, map->name);
    HeapFree(GetProcessHeap(), 0, map);
}

/* NtQuerySection's SectionBasicInformation (winternl.h does not declare them for user mode). */
struct sr_section_basic
{
    void *base;
    ULONG attributes;
    LARGE_INTEGER size;
};
typedef LONG (NTAPI *sr_nt_query_section)(HANDLE section, int info_class, void *info, SIZE_T len, SIZE_T *ret_len);

/* The section's size, measured without mapping it: a 32-bit process cannot map a section of 2 GiB
 * or more whole, and a 64-bit one would spend the address space for nothing. NtQuerySection has
 * been in ntdll since Windows NT; it is looked up at run time because it is not in the import
 * libraries. Only if it is missing (a system that has none) is the section mapped whole and the
 * view measured, which is all the documented API offers; that fails for a section too large for
 * the address space, and says so. The handle needs SECTION_QUERY (mapping_open asks for it). */
static HRESULT section_size(const WCHAR *method, HANDLE section, ULONGLONG *size)
{
    static sr_nt_query_section query;
    static LONG looked_up;
    struct sr_section_basic info;
    MEMORY_BASIC_INFORMATION mbi;
    BYTE *base, *p;
    ULONGLONG total = 0;
    LONG status;

    if (!InterlockedCompareExchange(&looked_up, 0, 0))
    {
        HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
        sr_nt_query_section fn = ntdll ? (sr_nt_query_section)(void *)GetProcAddress(ntdll, "NtQuerySection") : NULL;
        InterlockedExchangePointer((void **)&query, (void *)fn);
        InterlockedExchange(&looked_up, 1);
    }
    if (query)
    {
        if ((status = query(section, 0 /* SectionBasicInformation */, &info, sizeof(info), NULL)) < 0)
            return sr_error(HRESULT_FROM_NT(status), &IID_ISharedRegion,
                            L"%ls: cannot measure the section (NtQuerySection status %#lx)", method, status);
        *size = (ULONGLONG)info.size.QuadPart;
        return S_OK;
    }
    if (!(base = MapViewOfFile(section, FILE_MAP_READ, 0, 0, 0)))
        return sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: cannot measure the section", method);
    for (p = base; VirtualQuery(p, &mbi, sizeof(mbi)) && mbi.AllocationBase == base; p += mbi.RegionSize)
        total += mbi.RegionSize;
    UnmapViewOfFile(base);
    *size = total;
    return S_OK;
}

static HRESULT name_error(const struct sr_bind *bind, DWORD err, const WCHAR *what)
{
    if (err == ERROR_ACCESS_DENIED && bind->name && has_prefix(bind->name, L"Global\\"))
        return sr_win32_error(err, &IID_ISharedRegion,
                              L"%ls: cannot %ls '%ls': a Global\\ name needs the SeCreateGlobalPrivilege privilege "
                              L"(held by administrators and services)", bind->method, what, bind->name);
    if (err == ERROR_INVALID_HANDLE && bind->name)
        return sr_win32_error(err, &IID_ISharedRegion,
                              L"%ls: cannot %ls '%ls': that name belongs to another kind of kernel object",
                              bind->method, what, bind->name);
    return sr_win32_error(err, &IID_ISharedRegion, L"%ls: cannot %ls '%ls'", bind->method, what,
                          bind->name ? bind->name : L"(anonymous)");
}

/* Creating under a name failed: is the name in use (by a section this account may not touch, or by
 * another kind of object)? Then that is the answer, not the access check that refused it. */
static BOOL name_taken(const struct sr_bind *bind, DWORD err)
{
    HANDLE h;

    if (err == ERROR_INVALID_HANDLE || err == ERROR_ALREADY_EXISTS) return TRUE;
    if (err != ERROR_ACCESS_DENIED) return FALSE;
    if ((h = OpenFileMappingW(FILE_MAP_READ, FALSE, bind->name)))
    {
        CloseHandle(h);
        return TRUE;
    }
    return GetLastError() != ERROR_FILE_NOT_FOUND; /* refused, or not a section: someone has it */
}

static HRESULT taken_error(const struct sr_bind *bind, DWORD err)
{
    const WCHAR *why = err == ERROR_INVALID_HANDLE ? L"it belongs to another kind of kernel object"
                                                   : L"its owner's security does not let this account use it";
    if (bind->open_existing) /* OpenOrCreate: it exists, and cannot be opened */
        return sr_error(err == ERROR_INVALID_HANDLE ? HRESULT_FROM_WIN32(err) : E_ACCESSDENIED, &IID_ISharedRegion,
                        L"%ls: the name '%ls' is taken and cannot be opened: %ls", bind->method, bind->name, why);
    return sr_error(HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), &IID_ISharedRegion,
                    L"%ls: the name '%ls' already exists (%ls); %ls never opens an existing name",
                    bind->method, bind->name, why, bind->method);
}

static HRESULT make_security(const struct sr_bind *bind, PSECURITY_DESCRIPTOR *sd)
{
    *sd = NULL;
    if (!bind->sddl || !*bind->sddl) return S_OK;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(bind->sddl, SDDL_REVISION_1, sd, NULL))
    {
        *sd = NULL;
        return sr_error(E_INVALIDARG, &IID_ISharedRegion,
                        L"%ls: sddl '%.300ls' is not a valid security descriptor string (error %lu)",
                        bind->method, bind->sddl, GetLastError());
    }
    return S_OK;
}

static HRESULT sync_object(struct sr_mapping *map, const WCHAR *method, BOOL signal, BOOL claim, HANDLE *out);

HRESULT mapping_create(const struct sr_bind *bind, struct sr_mapping **out, BOOL *created)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    struct sr_mapping *map = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    HANDLE section;
    DWORD err;
    HRESULT hr;

    *out = NULL;
    *created = FALSE;
    if (FAILED(hr = make_security(bind, &sd))) goto done;
    sa.lpSecurityDescriptor = sd;

    section = CreateFileMappingW(INVALID_HANDLE_VALUE, sd ? &sa : NULL, PAGE_READWRITE,
                                 (DWORD)(bind->size >> 32), (DWORD)bind->size, bind->name);
    err = GetLastError();
    if (!section)
    {
        if (err == ERROR_NOT_ENOUGH_MEMORY || err == ERROR_COMMITMENT_LIMIT || err == ERROR_DISK_FULL)
            hr = sr_win32_error(err, &IID_ISharedRegion, L"%ls: cannot create a region of %I64u bytes",
                                bind->method, bind->size);
        else if (bind->name && name_taken(bind, err))
            hr = taken_error(bind, err);
        else
            hr = name_error(bind, err, L"create");
        goto done;
    }
    if (err == ERROR_ALREADY_EXISTS && !bind->open_existing)
    {
        CloseHandle(section);
        hr = sr_error(HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), &IID_ISharedRegion,
                      L"%ls: a region named '%ls' already exists; Create never opens an existing name "
                      L"(use Open or OpenOrCreate)", bind->method, bind->name);
        goto done;
    }
    if (FAILED(hr = mapping_adopt(bind, section, &map))) goto done;
    map->size = bind->size;
    if (err == ERROR_ALREADY_EXISTS)
    {
        if (FAILED(hr = section_size(bind->method, section, &map->size))) goto done;
    }
    else
    {
        *created = TRUE;
        map->sd = sd;
        sd = NULL;
        /* A creator with a security descriptor claims the lock and signal names with it now. */
        if (map->sd && map->name)
        {
            HANDLE h;
            if (FAILED(hr = sync_object(map, bind->method, FALSE, TRUE, &h))) goto done;
            if (FAILED(hr = sync_object(map, bind->method, TRUE, TRUE, &h))) goto done;
        }
    }
    TRACE("%ls: section %p, %I64u bytes, created %d", bind->name ? bind->name : L"anonymous",
          section, map->size, *created);
    *out = map;
    map = NULL;
    hr = S_OK;

done:
    mapping_release(map);
    if (sd) LocalFree(sd);
    return hr;
}

HRESULT mapping_open(const struct sr_bind *bind, struct sr_mapping **out)
{
    DWORD desired = bind->access == RegionReadWrite ? FILE_MAP_READ | FILE_MAP_WRITE : FILE_MAP_READ;
    struct sr_mapping *map = NULL;
    HANDLE section;
    HRESULT hr;

    *out = NULL;
    /* SECTION_QUERY: section_size asks the section its size (generic read grants it). */
    if (!(section = OpenFileMappingW(desired | SECTION_QUERY, FALSE, bind->name)))
    {
        DWORD err = GetLastError();
        if (err == ERROR_FILE_NOT_FOUND)
            hr = sr_error(HRESULT_FROM_WIN32(err), &IID_ISharedRegion,
                          L"%ls: no region named '%ls' exists", bind->method, bind->name);
        else
            hr = name_error(bind, err, L"open");
        goto done;
    }
    if (FAILED(hr = mapping_adopt(bind, section, &map))) goto done;
    if (FAILED(hr = section_size(bind->method, section, &map->size))) goto done;
    TRACE("%ls: section %p, %I64u bytes", bind->name, section, map->size);
    *out = map;
    map = NULL;
    hr = S_OK;

done:
    mapping_release(map);
    return hr;
}

HRESULT mapping_open_file(const struct sr_bind *bind, struct sr_mapping **out)
{
    static const DWORD protect[] = { PAGE_READWRITE, PAGE_READONLY, PAGE_WRITECOPY };
    struct sr_mapping *map = NULL;
    LARGE_INTEGER file_size;
    ULONGLONG size;
    HANDLE file = INVALID_HANDLE_VALUE, section;
    DWORD attrs, err;
    HRESULT hr;

    *out = NULL;
    attrs = GetFileAttributesW(bind->path);
    if (attrs == INVALID_FILE_ATTRIBUTES)
    {
        hr = sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: cannot open '%ls'", bind->method, bind->path);
        goto done;
    }
    if (attrs & FILE_ATTRIBUTE_DIRECTORY)
    {
        hr = sr_error(HRESULT_FROM_WIN32(ERROR_DIRECTORY_NOT_SUPPORTED), &IID_ISharedRegion,
                      L"%ls: '%ls' is a directory, not a file", bind->method, bind->path);
        goto done;
    }
    file = CreateFileW(bind->path, GENERIC_READ | (bind->access == RegionReadWrite ? GENERIC_WRITE : 0),
                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                       FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        err = GetLastError();
        hr = sr_win32_error(err, &IID_ISharedRegion, L"%ls: cannot open '%ls' for %ls%ls", bind->method,
                            bind->path, access_name(bind->access),
                            err == ERROR_SHARING_VIOLATION ? L" (another program has it open without sharing)" : L"");
        goto done;
    }
    if (!GetFileSizeEx(file, &file_size))
    {
        hr = sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: cannot read the size of '%ls'",
                            bind->method, bind->path);
        goto done;
    }
    size = bind->size ? bind->size : (ULONGLONG)file_size.QuadPart;
    if (!size)
    {
        hr = sr_error(SR_E_EMPTYFILE, &IID_ISharedRegion,
                      L"%ls: '%ls' is empty; pass a size to grow it (ReadWrite only)", bind->method, bind->path);
        goto done;
    }
    if (size > (ULONGLONG)file_size.QuadPart && bind->access != RegionReadWrite)
    {
        hr = sr_error(E_INVALIDARG, &IID_ISharedRegion,
                      L"%ls: size %I64u is larger than '%ls' (%I64u bytes); only a ReadWrite mapping can grow a file",
                      bind->method, size, bind->path, (ULONGLONG)file_size.QuadPart);
        goto done;
    }
    section = CreateFileMappingW(file, NULL, protect[bind->access], (DWORD)(size >> 32), (DWORD)size, bind->name);
    err = GetLastError();
    if (!section)
    {
        if (bind->name && name_taken(bind, err)) hr = taken_error(bind, err);
        else if (bind->name) hr = name_error(bind, err, L"create");
        else hr = sr_win32_error(err, &IID_ISharedRegion, L"%ls: cannot map %I64u bytes of '%ls'",
                                 bind->method, size, bind->path);
        goto done;
    }
    if (err == ERROR_ALREADY_EXISTS)
    {
        CloseHandle(section);
        hr = sr_error(HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), &IID_ISharedRegion,
                      L"%ls: a region named '%ls' already exists; OpenFile never shares a mapping under a name "
                      L"that is taken", bind->method, bind->name);
        goto done;
    }
    if (FAILED(hr = mapping_adopt(bind, section, &map))) goto done;
    map->file = file;
    file = INVALID_HANDLE_VALUE;
    map->size = size;
    TRACE("%ls: section %p, %I64u bytes", bind->path, section, size);
    *out = map;
    hr = S_OK;

done:
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    return hr;
}

/* The lock (mutex) or signal (event) beside the mapping. claim: it must be new (Create with an sddl):
 * an object that already has the name belongs to someone else and is refused, not adopted. */
static HRESULT sync_object(struct sr_mapping *map, const WCHAR *method, BOOL signal, BOOL claim, HANDLE *out)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), map->sd, FALSE };
    HANDLE *slot = signal ? &map->signal : &map->lock;
    WCHAR *name = NULL;
    HANDLE h;

    if ((*out = InterlockedCompareExchangePointer(slot, NULL, NULL))) return S_OK;
    if (map->name)
    {
        const WCHAR *suffix = signal ? L"@SharedRegion.Signal" : L"@SharedRegion.Lock";
        if (!(name = HeapAlloc(GetProcessHeap(), 0, (wcslen(map->name) + wcslen(suffix) + 1) * sizeof(WCHAR))))
            return sr_error(E_OUTOFMEMORY, &IID_ISharedRegion, L"%ls: out of memory", method);
        wcscpy(name, map->name);
        wcscat(name, suffix);
    }
    h = signal ? CreateEventW(map->sd ? &sa : NULL, FALSE, FALSE, name)
               : CreateMutexW(map->sd ? &sa : NULL, FALSE, name);
    if (h && claim && name && GetLastError() == ERROR_ALREADY_EXISTS)
    {
        HRESULT hr = sr_error(HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), &IID_ISharedRegion,
                              L"%ls: the region's %ls '%ls' already exists, so the security descriptor cannot apply "
                              L"to it; another program holds the name", method,
                              signal ? L"signal event" : L"lock mutex", name);
        CloseHandle(h);
        HeapFree(GetProcessHeap(), 0, name);
        return hr;
    }
    if (!h)
    {
        HRESULT hr = sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: cannot create the region's %ls '%ls'",
                                    method, signal ? L"signal event" : L"lock mutex", name ? name : L"(anonymous)");
        HeapFree(GetProcessHeap(), 0, name);
        return hr;
    }
    HeapFree(GetProcessHeap(), 0, name);
    if (InterlockedCompareExchangePointer(slot, h, NULL))
        CloseHandle(h); /* another thread won the race; use its handle */
    *out = *slot;
    return S_OK;
}

HRESULT mapping_sync_object(struct sr_mapping *map, const WCHAR *method, BOOL signal, HANDLE *out)
{
    return sync_object(map, method, signal, FALSE, out);
}

/* ---- spans: a mapped view (fixed) or window (sliding) onto a mapping ---- */

void span_init(struct sr_span *span, enum span_kind kind)
{
    memset(span, 0, sizeof(*span));
    InitializeSRWLock(&span->lock);
    span->kind = kind;
}

REFIID span_iid(const struct sr_span *span)
{
    return span->kind == SPAN_REGION ? &IID_ISharedRegion : &IID_ISharedView;
}

ULONGLONG span_size(struct sr_span *span)
{
    ULONGLONG size;
    AcquireSRWLockShared(&span->lock);
    size = span->map ? span->size : 0;
    ReleaseSRWLockShared(&span->lock);
    return size;
}

static const WCHAR *span_noun(const struct sr_span *span)
{
    return span->kind == SPAN_REGION ? L"region" : L"view";
}

HRESULT span_closed_error(const struct sr_span *span, const WCHAR *method)
{
    if (span->kind == SPAN_REGION)
        return sr_error(SR_E_NOTOPEN, &IID_ISharedRegion,
                        L"%ls: the region is not open (call Create, Open, OpenOrCreate or OpenFile first)", method);
    return sr_error(SR_E_NOTMAPPED, &IID_ISharedView, L"%ls: the view is not mapped (Unmap was called)", method);
}

/* The checks every data call makes before a byte moves: open, in bounds, writable for a write.
 * The caller holds the span lock (shared or exclusive), and checks again after changing it. */
static HRESULT span_validate(struct sr_span *span, const WCHAR *method, enum span_op op, ULONGLONG offset,
                             ULONGLONG count)
{
    if (!span->map) return span_closed_error(span, method);
    if (offset > span->size || count > span->size - offset)
    {
        if (count)
            return sr_error(E_INVALIDARG, span_iid(span), L"%ls: offset %I64u + count %I64u is past the end of the %ls (%I64u bytes)",
                            method, offset, count, span_noun(span), span->size);
        return sr_error(E_INVALIDARG, span_iid(span), L"%ls: offset %I64u is past the end of the %ls (%I64u bytes)",
                        method, offset, span_noun(span), span->size);
    }
    if ((op == SPAN_WRITE || op == SPAN_FILL) && span->access == RegionReadOnly)
        return sr_error(E_ACCESSDENIED, span_iid(span), L"%ls: the %ls is read-only", method, span_noun(span));
    return S_OK;
}

HRESULT span_check(struct sr_span *span, const WCHAR *method, ULONGLONG offset, ULONGLONG count)
{
    HRESULT hr;

    AcquireSRWLockShared(&span->lock);
    hr = span_validate(span, method, SPAN_READ, offset, count);
    ReleaseSRWLockShared(&span->lock);
    return hr;
}

/* Copy-on-write pages exist only in the one view that holds them, so such a span cannot slide a
 * window: it is mapped whole, and here it does not fit. */
static HRESULT cow_too_large(const struct sr_span *span, const WCHAR *method, ULONGLONG len)
{
    return sr_error(E_OUTOFMEMORY, span_iid(span),
                    L"%ls: a copy-on-write %ls is mapped whole (its private pages live only in that one view), and "
                    L"%I64u bytes do not fit in this process's free address space%ls; open it ReadOnly or ReadWrite "
                    L"(which map a sliding window) instead", method, span_noun(span), len,
                    sizeof(void *) == 4 ? L" (a 32-bit process has 2 to 4 GiB in all)" : L"");
}

/* Map [off, off+len) of the span (span offsets), replacing the current window. Exclusive lock held. */
static HRESULT span_map_window(struct sr_span *span, const WCHAR *method, ULONGLONG off, ULONGLONG len)
{
    static const DWORD map_access[] = { FILE_MAP_WRITE, FILE_MAP_READ, FILE_MAP_COPY };
    ULONGLONG abs = span->start + off;
    ULONGLONG aligned = abs & ~(ULONGLONG)(allocation_granularity() - 1);
    ULONGLONG slack = abs - aligned;
    void *p;

    if (span->view)
    {
        UnmapViewOfFile(span->view);
        span->view = NULL;
        span->win = NULL;
        span->win_len = 0;
    }
    /* A copy-on-write span is mapped whole (span_bind): in a 32-bit process one that does not fit
     * in the free address space is refused with the reason, and the limit is the process's. */
    if (slack + len > (SIZE_T)-1)
    {
        if (span->access == RegionCopyOnWrite)
            return cow_too_large(span, method, len);
        return sr_error(E_OUTOFMEMORY, span_iid(span), L"%ls: %I64u bytes do not fit in the address space", method, len);
    }
    /* A range that ends where the section ends is mapped "to the end" (size 0): a section opened by
     * name is measured page-rounded, and a file-backed one may end inside that last page. */
    p = MapViewOfFile(span->map->section, map_access[span->access], (DWORD)(aligned >> 32), (DWORD)aligned,
                      abs + len == span->map->size ? 0 : (SIZE_T)(slack + len));
    if (!p)
    {
        DWORD err = GetLastError();
        if (span->access == RegionCopyOnWrite && (err == ERROR_NOT_ENOUGH_MEMORY || err == ERROR_OUTOFMEMORY))
            return cow_too_large(span, method, len);
        return sr_win32_error(err, span_iid(span), L"%ls: cannot map %I64u bytes at offset %I64u",
                              method, len, abs);
    }
    span->view = p;
    span->win = (BYTE *)p + slack;
    span->win_off = off;
    span->win_len = len;
    TRACE("mapped %p, %I64u bytes at section offset %I64u", p, slack + len, aligned);
    return S_OK;
}

HRESULT span_bind(struct sr_span *span, const WCHAR *method, struct sr_mapping *map,
                  ULONGLONG start, ULONGLONG size, DWORD access, BOOL allow_sliding)
{
    HRESULT hr;

    mapping_addref(map);
    span->map = map;
    span->start = start;
    span->size = size;
    span->access = access;
    /* Copy-on-write pages are private to the view that wrote them and vanish when it is unmapped,
     * so a copy-on-write span never slides: it is mapped whole, whatever its size. */
    span->sliding = allow_sliding && size > SR_FULLMAP_MAX && access != RegionCopyOnWrite;
    span->remaps = 0;
    if (span->sliding) return S_OK; /* the window is mapped on first use */
    if (FAILED(hr = span_map_window(span, method, 0, size))) span_unbind(span);
    return hr;
}

void span_unbind(struct sr_span *span)
{
    if (span->view)
    {
        TRACE("unmapping %p", span->view);
        UnmapViewOfFile(span->view);
    }
    mapping_release(span->map);
    span->view = NULL;
    span->win = NULL;
    span->win_off = span->win_len = 0;
    span->map = NULL;
    span->size = 0;
    span->access = RegionReadWrite;
}

/* A copy faulted (guard.c): the page could not be read in or written back, and the host lives on. */
static HRESULT span_fault_error(struct sr_span *span, const WCHAR *method, const struct sr_fault *fault)
{
    ULONGLONG at = span->win_off + (fault->address - (ULONG_PTR)span->win);
    const WCHAR *what = span->map->file ? L"the file behind it was truncated or could not be read"
                                        : L"the memory behind it could not be paged in";

    if (fault->code == EXCEPTION_IN_PAGE_ERROR)
        return sr_error(SR_E_PAGEFAULT, span_iid(span), L"%ls: the %ls's byte at offset %I64u could not be %ls: %ls "
                        L"(in-page error, status %#lx)", method, span_noun(span), at, fault->write ? L"written" : L"read",
                        what, fault->status);
    return sr_error(SR_E_PAGEFAULT, span_iid(span), L"%ls: the %ls's byte at offset %I64u could not be %ls: %ls "
                    L"(access violation)", method, span_noun(span), at, fault->write ? L"written" : L"read", what);
}

/* Do one operation on memory that is mapped now; a page-in failure becomes SR_E_PAGEFAULT. */
static HRESULT span_do(struct sr_span *span, const WCHAR *method, enum span_op op, BYTE *mem,
                       ULONGLONG count, BYTE *buffer, BYTE fill)
{
    struct sr_fault fault;
    BOOL ok = TRUE;

    switch (op)
    {
    case SPAN_READ:  ok = guard_copy(buffer, mem, count, mem, &fault); break;
    case SPAN_WRITE: ok = guard_copy(mem, buffer, count, mem, &fault); break;
    case SPAN_FILL:  ok = guard_fill(mem, fill, count, &fault); break;
    case SPAN_FLUSH:
        if (span->access != RegionCopyOnWrite && !FlushViewOfFile(mem, count))
            return sr_win32_error(GetLastError(), span_iid(span), L"%ls: cannot flush the %ls", method, span_noun(span));
        break;
    }
    return ok ? S_OK : span_fault_error(span, method, &fault);
}

/* After a flush: for a writable file, the bytes are on disk when Flush returns. */
static HRESULT span_flush_file(struct sr_span *span, const WCHAR *method)
{
    if (span->map->file && span->access == RegionReadWrite && !FlushFileBuffers(span->map->file))
        return sr_win32_error(GetLastError(), span_iid(span), L"%ls: cannot write the file's buffers to disk", method);
    return S_OK;
}

HRESULT span_io(struct sr_span *span, const WCHAR *method, enum span_op op, ULONGLONG offset,
                ULONGLONG count, void *buffer, BYTE fill)
{
    BYTE *buf = buffer;
    HRESULT hr = S_OK;

    AcquireSRWLockShared(&span->lock);
    if (FAILED(hr = span_validate(span, method, op, offset, count))) goto shared_done;
    if (!count) goto shared_done;
    if (span->win && offset >= span->win_off && offset - span->win_off + count <= span->win_len)
    {
        hr = span_do(span, method, op, span->win + (offset - span->win_off), count, buf, fill);
        if (SUCCEEDED(hr) && op == SPAN_FLUSH) hr = span_flush_file(span, method);
        goto shared_done;
    }
    ReleaseSRWLockShared(&span->lock);

    /* A large region whose window must move: one thread at a time. */
    AcquireSRWLockExclusive(&span->lock);
    /* Between the two locks another thread may have closed the object, or bound it to another
     * mapping: everything is checked again against what is bound now. */
    if (FAILED(hr = span_validate(span, method, op, offset, count))) goto exclusive_done;
    while (count)
    {
        ULONGLONG chunk;
        if (!span->win || offset < span->win_off || offset >= span->win_off + span->win_len)
        {
            if (!span->sliding)
            {
                /* A fixed span maps all of itself: a validated access cannot fall outside it. */
                hr = sr_error(E_UNEXPECTED, span_iid(span), L"%ls: offset %I64u is outside the mapped %ls",
                              method, offset, span_noun(span));
                break;
            }
            ULONGLONG start = offset & ~(ULONGLONG)(allocation_granularity() - 1);
            ULONGLONG len = span->size - start < SR_WINDOW_SIZE ? span->size - start : SR_WINDOW_SIZE;
            if (FAILED(hr = span_map_window(span, method, start, len))) break;
            span->remaps++;
        }
        chunk = span->win_off + span->win_len - offset;
        if (!chunk)
        {
            hr = sr_error(E_UNEXPECTED, span_iid(span), L"%ls: the window at offset %I64u is empty", method, offset);
            break;
        }
        if (chunk > count) chunk = count;
        if (FAILED(hr = span_do(span, method, op, span->win + (offset - span->win_off), chunk, buf, fill))) break;
        offset += chunk;
        count -= chunk;
        if (buf) buf += chunk;
    }
    if (SUCCEEDED(hr) && op == SPAN_FLUSH) hr = span_flush_file(span, method);
exclusive_done:
    ReleaseSRWLockExclusive(&span->lock);
    return hr;

shared_done:
    ReleaseSRWLockShared(&span->lock);
    return hr;
}
