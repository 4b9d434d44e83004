/*
 * SharedRegion server: sections and names, the kernel-object layer under every region.
 *
 * Every CreateFileMapping/OpenFileMapping/CreateFile of the server is in this file, and so is every
 * CloseHandle of a mapping's handles:
 *   - struct sr_mapping owns the section, the file, the lock mutex and the signal event's two
 *     handles (one to wait, one to set); mapping_release closes them all when the last
 *     reference goes. The lock and signal objects are opened and created by sync.c.
 *   - struct sr_span (span.c) owns one mapped view and one mapping reference; span_unbind unmaps
 *     the view and drops the reference.
 * A view object holds its own span, so its memory stays valid after the region object that
 * made it is closed or released (lifetime rule 1). When the last span and the last region
 * go, the last mapping reference goes, and with it every handle (rule 2).
 */
#include <wchar.h>
#include "private.h"
#include <sddl.h>

/* ---- names ---- */

static BOOL has_prefix(const WCHAR *s, const WCHAR *prefix)
{
    return !_wcsnicmp(s, prefix, wcslen(prefix));
}

static const WCHAR *const sync_suffix[] = { SR_LOCK_SUFFIX, SR_SIGNAL_SUFFIX };

static BOOL has_suffix(const WCHAR *s, const WCHAR *suffix)
{
    size_t n = wcslen(s), m = wcslen(suffix);
    return n >= m && !_wcsicmp(s + n - m, suffix);
}

HRESULT normalize_name(const WCHAR *method, const WCHAR *name, BOOL allow_sync_suffix, WCHAR **kernel_name)
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
    /* A region called "x@SharedRegion.Lock" would take the name of region x's lock. */
    if (!allow_sync_suffix && (has_suffix(rest, sync_suffix[SYNC_LOCK]) || has_suffix(rest, sync_suffix[SYNC_SIGNAL])))
        return sr_error(E_INVALIDARG, &IID_ISharedRegion,
                        L"%ls: the name '%ls' ends in '%ls', which is reserved for the lock and signal objects of "
                        L"regions", method, name, has_suffix(rest, sync_suffix[SYNC_LOCK]) ? sync_suffix[SYNC_LOCK]
                                                                                         : sync_suffix[SYNC_SIGNAL]);
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
        if (section) CloseHandle(section);
        return sr_error(E_OUTOFMEMORY, &IID_ISharedRegion, L"%ls: out of memory", bind->method);
    }
    map->ref = 1;
    InitializeSRWLock(&map->sync_lock);
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
    if (map->signal_wait) CloseHandle(map->signal_wait);
    if (map->signal_set) CloseHandle(map->signal_set);
    if (map->sd) LocalFree(map->sd);
    HeapFree(GetProcessHeap(), 0, map->sync_sd[SYNC_LOCK]);
    HeapFree(GetProcessHeap(), 0, map->sync_sd[SYNC_SIGNAL]);
    HeapFree(GetProcessHeap(), 0, map->sync_name[SYNC_LOCK]);
    HeapFree(GetProcessHeap(), 0, map->sync_name[SYNC_SIGNAL]);
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
 * the address space, and says so. The query needs SECTION_QUERY: open_section asks for it, and
 * where the section's owner granted only the map rights (a DACL of FILE_MAP_READ alone), it opens
 * without it and the size is measured by mapping, as when NtQuerySection is missing. */
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
    if (query && (status = query(section, 0 /* SectionBasicInformation */, &info, sizeof(info), NULL))
                     != (LONG)0xc0000022 /* STATUS_ACCESS_DENIED: no SECTION_QUERY, measure by mapping */)
    {
        if (status < 0)
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

/* ---- page-file-backed regions: Create, OpenOrCreate, Open ---- */

/* Is there a section (or another object) under the name? */
static BOOL name_exists(const WCHAR *name)
{
    HANDLE h = OpenFileMappingW(FILE_MAP_READ, FALSE, name);
    if (h) CloseHandle(h);
    return h || GetLastError() != ERROR_FILE_NOT_FOUND;
}

static HRESULT exists_error(const struct sr_bind *bind)
{
    return sr_error(HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), &IID_ISharedRegion,
                    L"%ls: a region named '%ls' already exists; Create never opens an existing name "
                    L"(use Open or OpenOrCreate)", bind->method, bind->name);
}

/* One attempt at creating: the claims, then the section. *raced: the name (or one of its lock and
 * signal names) turned out to be taken, which for OpenOrCreate means "open it instead". */
static HRESULT create_section(const struct sr_bind *bind, struct sr_mapping **out, BOOL *raced)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    struct sr_mapping *map = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    BOOL taken = FALSE;
    HANDLE section;
    DWORD err;
    HRESULT hr;

    *out = NULL;
    *raced = FALSE;
    if (FAILED(hr = make_security(bind, &sd))) goto done;
    if (FAILED(hr = mapping_adopt(bind, NULL, &map))) goto done;
    map->sd = sd;
    sd = NULL;
    map->size = bind->size;
    if (FAILED(hr = make_sync_security(bind->method, map))) goto done;
    if (map->name)
    {
        enum sr_sync which;
        for (which = SYNC_LOCK; which <= SYNC_SIGNAL; which++)
            if (FAILED(hr = sync_claim(map, bind->method, which, &taken)))
            {
                /* The region exists: say that, not which of its objects was met first. */
                if (taken && name_exists(bind->name))
                {
                    *raced = TRUE;
                    if (!bind->open_existing) hr = exists_error(bind);
                }
                else if (taken && bind->open_existing)
                    *raced = TRUE; /* perhaps a peer between its claims and its section: try again */
                goto done;
            }
    }
    sa.lpSecurityDescriptor = map->sd;
    section = CreateFileMappingW(INVALID_HANDLE_VALUE, map->sd ? &sa : NULL, PAGE_READWRITE,
                                 (DWORD)(bind->size >> 32), (DWORD)bind->size, bind->name);
    err = GetLastError();
    if (!section)
    {
        if (err == ERROR_NOT_ENOUGH_MEMORY || err == ERROR_COMMITMENT_LIMIT || err == ERROR_DISK_FULL)
            hr = sr_win32_error(err, &IID_ISharedRegion, L"%ls: cannot create a region of %I64u bytes",
                                bind->method, bind->size);
        else if (bind->name && name_taken(bind, err))
        {
            *raced = TRUE;
            hr = taken_error(bind, err);
        }
        else
            hr = name_error(bind, err, L"create");
        goto done;
    }
    map->section = section;
    if (err == ERROR_ALREADY_EXISTS)
    {
        /* Only a program that ignores the claimed names gets here. */
        *raced = TRUE;
        hr = exists_error(bind);
        goto done;
    }
    *out = map;
    map = NULL;
    hr = S_OK;

done:
    mapping_release(map);
    if (sd) LocalFree(sd);
    return hr;
}

/* An existing section by name, for exactly the access asked. FALSE with *err when it cannot. */
static HRESULT open_section(const struct sr_bind *bind, DWORD access, struct sr_mapping **out, DWORD *err)
{
    DWORD desired = access == RegionReadWrite ? FILE_MAP_READ | FILE_MAP_WRITE : FILE_MAP_READ;
    struct sr_mapping *map = NULL;
    HANDLE section;
    HRESULT hr;

    *out = NULL;
    *err = 0;
    /* SECTION_QUERY: section_size asks the section its size (generic read grants it). An owner that
     * granted only the map rights refuses it: then open with those, and section_size maps to measure. */
    if (!(section = OpenFileMappingW(desired | SECTION_QUERY, FALSE, bind->name))
        && (GetLastError() != ERROR_ACCESS_DENIED || !(section = OpenFileMappingW(desired, FALSE, bind->name))))
    {
        *err = GetLastError();
        return S_FALSE;
    }
    if (FAILED(hr = mapping_adopt(bind, section, &map))) return hr;
    map->access = access;
    if (FAILED(hr = section_size(bind->method, section, &map->size))
        || FAILED(hr = make_sync_security(bind->method, map)))
    {
        mapping_release(map);
        return hr;
    }
    *out = map;
    return S_OK;
}

HRESULT mapping_create(const struct sr_bind *bind, struct sr_mapping **out, BOOL *created)
{
    struct sr_mapping *map = NULL;
    BOOL raced = FALSE;
    unsigned int attempt;
    DWORD err;
    HRESULT hr;

    *out = NULL;
    *created = FALSE;
    if (!bind->open_existing || !bind->name)
    {
        if (SUCCEEDED(hr = create_section(bind, &map, &raced))) *created = TRUE;
        goto done;
    }
    /* OpenOrCreate: open an existing name for read and write, as Open does (creating "over" it would
     * ask for rights a DACL short of all access refuses); create only a missing one. Another program
     * may create or remove the name between the two calls: try again a few times. */
    for (attempt = 0; attempt < 8; attempt++)
    {
        if (attempt) Sleep(attempt);
        if (FAILED(hr = open_section(bind, RegionReadWrite, &map, &err))) goto done;
        if (hr == S_OK) goto done;
        if (err != ERROR_FILE_NOT_FOUND)
        {
            hr = err == ERROR_ACCESS_DENIED || err == ERROR_INVALID_HANDLE ? taken_error(bind, err)
                                                                          : name_error(bind, err, L"open");
            goto done;
        }
        if (SUCCEEDED(hr = create_section(bind, &map, &raced)))
        {
            *created = TRUE;
            goto done;
        }
        if (!raced) goto done;
    }
    /* hr: the last attempt's error (a lock or signal name held without its region, for example). */

done:
    if (SUCCEEDED(hr))
    {
        TRACE("%ls: section %p, %I64u bytes, created %d", bind->name ? bind->name : L"anonymous",
              map->section, map->size, *created);
        *out = map;
        hr = S_OK;
    }
    return hr;
}

HRESULT mapping_open(const struct sr_bind *bind, struct sr_mapping **out)
{
    DWORD err;
    HRESULT hr;

    *out = NULL;
    if ((hr = open_section(bind, bind->access, out, &err)) != S_FALSE) return hr;
    if (err == ERROR_FILE_NOT_FOUND)
        return sr_error(HRESULT_FROM_WIN32(err), &IID_ISharedRegion, L"%ls: no region named '%ls' exists",
                        bind->method, bind->name);
    return name_error(bind, err, L"open");
}

/* ---- file-backed regions: OpenFile, CreateFile ---- */

HRESULT file_path(const WCHAR *method, const WCHAR *path, WCHAR **full)
{
    DWORD len, got;
    WCHAR *buf;

    *full = NULL;
    if (wcslen(path) > 32767 - 8)
        return sr_error(E_INVALIDARG, &IID_ISharedRegion,
                        L"%ls: '%.300ls...' is not a usable path (%Iu characters; a path has at most 32767)", method, path,
                        wcslen(path));
    /* GetFullPathNameW resolves a relative path against the process's current directory, which any
     * thread of the host may change: the documented rule (scripts should pass absolute paths). */
    if (!(len = GetFullPathNameW(path, 0, NULL, NULL)))
        return sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: '%.300ls' is not a usable path", method, path);
    if (!(buf = HeapAlloc(GetProcessHeap(), 0, (len + 8) * sizeof(WCHAR))))
        return sr_error(E_OUTOFMEMORY, &IID_ISharedRegion, L"%ls: out of memory", method);
    if (len > 32767 - 8 || !(got = GetFullPathNameW(path, len, buf + 4, NULL)) || got >= len)
    {
        HeapFree(GetProcessHeap(), 0, buf);
        return sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: '%.300ls' is not a usable path", method, path);
    }
    /* \\?\ lifts MAX_PATH in hosts that are not long-path aware: the path goes to the file system as
     * it is, so it must be the full path made above. A device path (\\.\...) or one that already has
     * the prefix is kept as it is; GetFileType refuses what is not a disk file. */
    if (!wcsncmp(buf + 4, L"\\\\?\\", 4) || !wcsncmp(buf + 4, L"\\\\.\\", 4))
        memmove(buf, buf + 4, (got + 1) * sizeof(WCHAR));
    else if (!wcsncmp(buf + 4, L"\\\\", 2)) /* \\server\share\x -> \\?\UNC\server\share\x */
    {
        memmove(buf + 8, buf + 6, (got - 1) * sizeof(WCHAR));
        memcpy(buf, L"\\\\?\\UNC\\", 8 * sizeof(WCHAR));
    }
    else
        memcpy(buf, L"\\\\?\\", 4 * sizeof(WCHAR));
    *full = buf;
    return S_OK;
}

/* The path as the user would write it (without \\?\), for messages and FilePath. */
static const WCHAR *shown_path(const WCHAR *path)
{
    return wcsncmp(path, L"\\\\?\\", 4) || !wcsncmp(path, L"\\\\?\\UNC\\", 8) ? path : path + 4;
}

static HRESULT file_name_taken_error(const struct sr_bind *bind)
{
    return sr_error(HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), &IID_ISharedRegion,
                    L"%ls: a region named '%ls' already exists; %ls never shares a mapping under a name "
                    L"that is taken", bind->method, bind->name, bind->method);
}

HRESULT mapping_open_file(const struct sr_bind *bind, struct sr_mapping **out)
{
    static const DWORD protect[] = { PAGE_READWRITE, PAGE_READONLY, PAGE_WRITECOPY };
    const WCHAR *shown = shown_path(bind->path);
    struct sr_mapping *map = NULL;
    LARGE_INTEGER file_size;
    ULONGLONG size;
    HANDLE file = INVALID_HANDLE_VALUE, section;
    DWORD attrs, err, type;
    BOOL made = FALSE;
    HRESULT hr;

    *out = NULL;
    if (!bind->new_file)
    {
        /* A path the attributes cannot be read of (a pipe, a device) goes on to CreateFileW, whose
         * error or GetFileType below is the answer. */
        attrs = GetFileAttributesW(bind->path);
        if (attrs == INVALID_FILE_ATTRIBUTES && (GetLastError() == ERROR_FILE_NOT_FOUND || GetLastError() == ERROR_PATH_NOT_FOUND))
        {
            hr = sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: cannot open '%ls'", bind->method, shown);
            goto done;
        }
        if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY))
        {
            hr = sr_error(HRESULT_FROM_WIN32(ERROR_DIRECTORY_NOT_SUPPORTED), &IID_ISharedRegion,
                          L"%ls: '%ls' is a directory, not a file", bind->method, shown);
            goto done;
        }
    }
    /* SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION: should the path name a pipe (\\.\pipe\x), its
     * server may identify the caller but never impersonate it. */
    file = CreateFileW(bind->path, GENERIC_READ | (bind->access == RegionReadWrite ? GENERIC_WRITE : 0)
                       | (bind->new_file ? DELETE : 0),
                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       bind->new_file ? CREATE_NEW : OPEN_EXISTING,
                       FILE_ATTRIBUTE_NORMAL | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        err = GetLastError();
        if (bind->new_file && (err == ERROR_FILE_EXISTS || err == ERROR_ALREADY_EXISTS))
            hr = sr_error(HRESULT_FROM_WIN32(ERROR_FILE_EXISTS), &IID_ISharedRegion,
                          L"%ls: '%ls' already exists; CreateFile never overwrites a file (use OpenFile)", bind->method,
                          shown);
        else
            hr = sr_win32_error(err, &IID_ISharedRegion, L"%ls: cannot %ls '%ls' for %ls%ls", bind->method,
                                bind->new_file ? L"create" : L"open", shown, access_name(bind->access),
                                err == ERROR_SHARING_VIOLATION ? L" (another program has it open without sharing)" : L"");
        goto done;
    }
    made = bind->new_file;
    /* A mapping needs a disk file: a pipe, a console or a device is refused before anything else. */
    if ((type = GetFileType(file)) != FILE_TYPE_DISK)
    {
        hr = sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: '%ls' is not a disk file (it is a %ls)", bind->method,
                      shown, type == FILE_TYPE_PIPE ? L"pipe" : type == FILE_TYPE_CHAR ? L"character device" : L"device");
        goto done;
    }
    if (!GetFileSizeEx(file, &file_size))
    {
        hr = sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: cannot read the size of '%ls'",
                            bind->method, shown);
        goto done;
    }
    size = bind->size ? bind->size : (ULONGLONG)file_size.QuadPart;
    if (!size)
    {
        hr = sr_error(SR_E_EMPTYFILE, &IID_ISharedRegion,
                      L"%ls: '%ls' is empty; pass a size to grow it (ReadWrite only)", bind->method, shown);
        goto done;
    }
    if (size > (ULONGLONG)file_size.QuadPart && bind->access != RegionReadWrite)
    {
        hr = sr_error(E_INVALIDARG, &IID_ISharedRegion,
                      L"%ls: size %I64u is larger than '%ls' (%I64u bytes); only a ReadWrite mapping can grow a file",
                      bind->method, size, shown, (ULONGLONG)file_size.QuadPart);
        goto done;
    }
    if (FAILED(hr = mapping_adopt(bind, NULL, &map))) goto done;
    map->size = size;
    if (FAILED(hr = make_sync_security(bind->method, map))) goto done;
    /* A named file mapping is a new region as Create's is: its lock and signal names are claimed
     * first, so that no other program's objects are adopted under them. */
    if (map->name)
    {
        enum sr_sync which;
        BOOL taken;
        for (which = SYNC_LOCK; which <= SYNC_SIGNAL; which++)
            if (FAILED(hr = sync_claim(map, bind->method, which, &taken)))
            {
                /* The region exists: say that, not which of its objects was met first. */
                if (taken && name_exists(bind->name)) hr = file_name_taken_error(bind);
                goto done;
            }
    }
    /* A new file grows to size through the mapping: the system zero-fills it. */
    section = CreateFileMappingW(file, NULL, protect[bind->access], (DWORD)(size >> 32), (DWORD)size, bind->name);
    err = GetLastError();
    if (!section)
    {
        if (bind->name && name_taken(bind, err)) hr = taken_error(bind, err);
        else if (bind->name) hr = name_error(bind, err, L"create");
        else hr = sr_win32_error(err, &IID_ISharedRegion, L"%ls: cannot map %I64u bytes of '%ls'",
                                 bind->method, size, shown);
        goto done;
    }
    if (err == ERROR_ALREADY_EXISTS)
    {
        CloseHandle(section);
        hr = file_name_taken_error(bind);
        goto done;
    }
    map->section = section;
    map->file = file;
    map->new_file = made;
    file = INVALID_HANDLE_VALUE;
    TRACE("%ls: section %p, %I64u bytes", shown, section, size);
    *out = map;
    map = NULL;
    hr = S_OK;

done:
    mapping_release(map);
    if (file != INVALID_HANDLE_VALUE)
    {
        /* A file this call created and could not map is removed again. */
        if (made)
        {
            FILE_DISPOSITION_INFO disposition = { TRUE };
            SetFileInformationByHandle(file, FileDispositionInfo, &disposition, sizeof(disposition));
        }
        CloseHandle(file);
    }
    return hr;
}

void mapping_discard_new_file(struct sr_mapping *map)
{
    FILE_DISPOSITION_INFO disposition = { TRUE };

    if (map->new_file && map->file)
        SetFileInformationByHandle(map->file, FileDispositionInfo, &disposition, sizeof(disposition));
}
