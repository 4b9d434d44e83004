/*
 * SharedRegion server: the kernel-object layer.
 *
 * Every CreateFileMapping/OpenFileMapping/CreateFile/MapViewOfFile/UnmapViewOfFile and every
 * CloseHandle of the server is in this file:
 *   - struct sr_mapping owns the section, the file, the lock mutex and the signal event's two
 *     handles (one to wait, one to set); mapping_release closes them all when the last
 *     reference goes;
 *   - struct sr_span owns one mapped view and one mapping reference; span_unbind unmaps
 *     the view and drops the reference;
 *   - struct sr_keeper (the lock keepers) owns its thread, its two events and a handle on the
 *     thread it serves; keeper_end closes them once the thread is gone.
 * A view object holds its own span, so its memory stays valid after the region object that
 * made it is closed or released (lifetime rule 1). When the last span and the last region
 * go, the last mapping reference goes, and with it every handle (rule 2).
 */
#include <wchar.h>
#include "private.h"
#include <sddl.h>

#ifndef EVENT_QUERY_STATE
#define EVENT_QUERY_STATE 0x0001
#endif

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

static const WCHAR *const sync_suffix[] = { L"@SharedRegion.Lock", L"@SharedRegion.Signal" };

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

/* ---- the security of the lock and signal objects ----
 *
 * The section's DACL says who may read and who may write the region. The lock and the signal get
 * the same grantees with the rights that access stands for on a mutex or an event: reading the
 * section is waiting (SYNCHRONIZE: WaitSignal, and waiting for the lock); writing it is also taking
 * and giving back the lock and setting the signal (MUTEX_MODIFY_STATE, EVENT_MODIFY_STATE); all
 * access is all access; DELETE, READ_CONTROL, WRITE_DAC and WRITE_OWNER carry over. Copying the
 * section's DACL unchanged would not do: GENERIC_READ on an event or a mutex does not include
 * SYNCHRONIZE, so a reader could never wait. A deny ACE takes away only what the denied access
 * alone stands for: denying write denies MUTEX_MODIFY_STATE / EVENT_MODIFY_STATE, not the
 * SYNCHRONIZE a reader needs (the usual "readers may not write" DACL); denying read denies
 * SYNCHRONIZE. The owner, the group and the SACL (a mandatory label that lets a low-integrity reader
 * in, say) are the section's too. A NULL DACL ("D:NO_ACCESS_CONTROL") gives the objects a NULL DACL
 * as it gives the section one; an empty DACL ("D:") an empty one. A Global\ region created without
 * an sddl gets the token's default DACL, made explicit, so that objects other sessions can see never
 * go without one. */
static DWORD sync_rights(DWORD section_mask, enum sr_sync which, BOOL deny)
{
    static const GENERIC_MAPPING section_generic =
    {
        STANDARD_RIGHTS_READ | SECTION_QUERY | SECTION_MAP_READ, STANDARD_RIGHTS_WRITE | SECTION_MAP_WRITE,
        STANDARD_RIGHTS_EXECUTE | SECTION_MAP_EXECUTE, SECTION_ALL_ACCESS
    };
    DWORD mask = section_mask, rights;

    MapGenericMask(&mask, (GENERIC_MAPPING *)&section_generic);
    if ((mask & SECTION_ALL_ACCESS) == SECTION_ALL_ACCESS) return which == SYNC_LOCK ? MUTEX_ALL_ACCESS : EVENT_ALL_ACCESS;
    rights = mask & (DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER);
    if (deny)
    {
        if (mask & SECTION_MAP_READ) rights |= SYNCHRONIZE;
        if (mask & SECTION_MAP_WRITE) rights |= which == SYNC_LOCK ? MUTEX_MODIFY_STATE : EVENT_MODIFY_STATE;
        return rights;
    }
    if (mask & (SECTION_MAP_READ | SECTION_QUERY)) rights |= SYNCHRONIZE;
    if (mask & SECTION_MAP_WRITE)
        rights |= SYNCHRONIZE | (which == SYNC_LOCK ? MUTEX_MODIFY_STATE : EVENT_MODIFY_STATE | EVENT_QUERY_STATE);
    return rights;
}

/* Rewrite the masks of acl's ACEs (a copy) for a mutex or an event. Every ACE type has its mask
 * right after the header; one this code does not know of grants nothing. */
static void remap_acl(ACL *acl, enum sr_sync which)
{
    void *ace;
    WORD i;

    for (i = 0; i < acl->AceCount; i++)
    {
        ACCESS_ALLOWED_ACE *a;
        if (!GetAce(acl, i, &ace)) continue;
        a = ace;
        switch (a->Header.AceType)
        {
        case ACCESS_ALLOWED_ACE_TYPE: case ACCESS_ALLOWED_OBJECT_ACE_TYPE:
        case ACCESS_ALLOWED_CALLBACK_ACE_TYPE: case ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE:
        case SYSTEM_AUDIT_ACE_TYPE: case SYSTEM_AUDIT_OBJECT_ACE_TYPE:
        case SYSTEM_AUDIT_CALLBACK_ACE_TYPE: case SYSTEM_AUDIT_CALLBACK_OBJECT_ACE_TYPE:
            a->Mask = sync_rights(a->Mask, which, FALSE);
            break;
        case ACCESS_DENIED_ACE_TYPE: case ACCESS_DENIED_OBJECT_ACE_TYPE:
        case ACCESS_DENIED_CALLBACK_ACE_TYPE: case ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE:
            a->Mask = sync_rights(a->Mask, which, TRUE);
            break;
        case SYSTEM_MANDATORY_LABEL_ACE_TYPE:
            break; /* its mask is a policy (no write up, ...), the same for every kind of object */
        default:
            a->Mask = 0;
            break;
        }
    }
}

/* A security descriptor (one HeapAlloc block) with dacl's grantees and the rights above, and src's
 * owner, group and SACL when src has them. dacl_present with dacl NULL: a NULL DACL (everyone, as
 * for the section); not dacl_present: no DACL (the token's default applies, as for the section). */
static HRESULT derive_sync_sd(const WCHAR *method, PSECURITY_DESCRIPTOR src, BOOL dacl_present, const ACL *dacl,
                              BOOL protect, enum sr_sync which, PSECURITY_DESCRIPTOR *out)
{
    PSID owner = NULL, group = NULL;
    BOOL present = FALSE, defaulted;
    const ACL *sacl = NULL;
    SECURITY_DESCRIPTOR *sd;
    DWORD size, owner_len = 0, group_len = 0;
    BYTE *p;
    ACL *acl = NULL, *sacl_copy = NULL;

    *out = NULL;
    if (src)
    {
        if (!GetSecurityDescriptorOwner(src, &owner, &defaulted)) owner = NULL;
        if (!GetSecurityDescriptorGroup(src, &group, &defaulted)) group = NULL;
        if (!GetSecurityDescriptorSacl(src, &present, (PACL *)&sacl, &defaulted) || !present) sacl = NULL;
    }
    if (owner) owner_len = GetLengthSid(owner);
    if (group) group_len = GetLengthSid(group);
    size = sizeof(*sd) + (dacl ? dacl->AclSize : 0) + (sacl ? sacl->AclSize : 0) + owner_len + group_len;
    if (!(sd = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, size)))
        return sr_error(E_OUTOFMEMORY, &IID_ISharedRegion, L"%ls: out of memory", method);
    p = (BYTE *)(sd + 1);
    if (dacl_present && dacl)
    {
        acl = (ACL *)p;
        memcpy(acl, dacl, dacl->AclSize);
        remap_acl(acl, which);
        p += dacl->AclSize;
    }
    if (sacl)
    {
        sacl_copy = (ACL *)p;
        memcpy(sacl_copy, sacl, sacl->AclSize);
        remap_acl(sacl_copy, which);
        p += sacl->AclSize;
    }
    if (owner) { memcpy(p, owner, owner_len); owner = p; p += owner_len; }
    if (group) { memcpy(p, group, group_len); group = p; }
    if (!InitializeSecurityDescriptor(sd, SECURITY_DESCRIPTOR_REVISION)
        || !SetSecurityDescriptorDacl(sd, dacl_present, acl, FALSE)
        || (sacl_copy && !SetSecurityDescriptorSacl(sd, TRUE, sacl_copy, FALSE))
        || (owner && !SetSecurityDescriptorOwner(sd, owner, FALSE))
        || (group && !SetSecurityDescriptorGroup(sd, group, FALSE))
        || (protect && dacl_present && !SetSecurityDescriptorControl(sd, SE_DACL_PROTECTED, SE_DACL_PROTECTED)))
    {
        HRESULT hr = sr_win32_error(GetLastError(), &IID_ISharedRegion,
                                    L"%ls: cannot build the security descriptor of the lock and signal objects", method);
        HeapFree(GetProcessHeap(), 0, sd);
        return hr;
    }
    *out = sd;
    return S_OK;
}

/* The token's default DACL made into lock and signal rights, for Global\ objects without an sddl:
 * objects that other sessions can see never go without a DACL. */
static HRESULT token_sync_sd(const WCHAR *method, const WCHAR *name, enum sr_sync which, PSECURITY_DESCRIPTOR *out)
{
    TOKEN_DEFAULT_DACL *token_dacl = NULL;
    DWORD len = 0;
    HANDLE token;
    HRESULT hr;

    *out = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: cannot read the process's token", method);
    GetTokenInformation(token, TokenDefaultDacl, NULL, 0, &len);
    if (len && (token_dacl = HeapAlloc(GetProcessHeap(), 0, len))
        && !GetTokenInformation(token, TokenDefaultDacl, token_dacl, len, &len))
    {
        HeapFree(GetProcessHeap(), 0, token_dacl);
        token_dacl = NULL;
    }
    CloseHandle(token);
    if (!token_dacl || !token_dacl->DefaultDacl)
        hr = sr_error(E_ACCESSDENIED, &IID_ISharedRegion,
                      L"%ls: the token has no default DACL, so the %ls of '%ls' would be open to every session; "
                      L"pass an sddl", method, which == SYNC_LOCK ? L"lock mutex" : L"signal event", name);
    else
        hr = derive_sync_sd(method, NULL, TRUE, token_dacl->DefaultDacl, TRUE, which, out);
    HeapFree(GetProcessHeap(), 0, token_dacl);
    return hr;
}

/* The DACL new lock and signal objects of map get: derived from the section's sddl, or for a Global\
 * name the token's default DACL; else none (the system's default, as for the section). */
static HRESULT make_sync_security(const WCHAR *method, struct sr_mapping *map)
{
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    BOOL present = FALSE, defaulted;
    const ACL *dacl = NULL;
    DWORD revision;
    HRESULT hr = S_OK;
    int i;

    if (map->sd)
    {
        if (!GetSecurityDescriptorDacl(map->sd, &present, (PACL *)&dacl, &defaulted)) present = FALSE;
        GetSecurityDescriptorControl(map->sd, &control, &revision);
        /* No "D:" part: the section got the token's default DACL, and so do the objects. A NULL
         * DACL ("D:NO_ACCESS_CONTROL") is the caller's choice for the section: the same here. */
        for (i = 0; i < 2 && SUCCEEDED(hr); i++)
            hr = derive_sync_sd(method, map->sd, present, present ? dacl : NULL, !!(control & SE_DACL_PROTECTED), i,
                                &map->sync_sd[i]);
    }
    else if (map->name && has_prefix(map->name, L"Global\\"))
        for (i = 0; i < 2 && SUCCEEDED(hr); i++) hr = token_sync_sd(method, map->name, i, &map->sync_sd[i]);
    return hr;
}

/* ---- the lock and signal objects ---- */

static const struct
{
    enum sr_sync which;
    DWORD access;            /* what an existing object is opened for: only what the call needs */
} needs[] =
{
    [NEED_LOCK] = { SYNC_LOCK, SYNCHRONIZE | MUTEX_MODIFY_STATE },
    [NEED_WAIT] = { SYNC_SIGNAL, SYNCHRONIZE },
    [NEED_SET]  = { SYNC_SIGNAL, EVENT_MODIFY_STATE },
};

static HANDLE *sync_slot(struct sr_mapping *map, enum sr_need need)
{
    return need == NEED_LOCK ? &map->lock : need == NEED_WAIT ? &map->signal_wait : &map->signal_set;
}

static const WCHAR *sync_noun(enum sr_sync which)
{
    return which == SYNC_LOCK ? L"lock mutex" : L"signal event";
}

/* The kernel name of the lock or signal object (HeapAlloc), or NULL for the private objects of an
 * anonymous region that was given no LockName/SignalName. */
static HRESULT sync_kernel_name(struct sr_mapping *map, const WCHAR *method, enum sr_sync which, WCHAR **out)
{
    const WCHAR *base = map->sync_name[which] ? map->sync_name[which] : map->name;

    *out = NULL;
    if (!base) return S_OK;
    if (!(*out = HeapAlloc(GetProcessHeap(), 0, (wcslen(base) + wcslen(sync_suffix[which]) + 1) * sizeof(WCHAR))))
        return sr_error(E_OUTOFMEMORY, &IID_ISharedRegion, L"%ls: out of memory", method);
    wcscpy(*out, base);
    if (!map->sync_name[which]) wcscat(*out, sync_suffix[which]);
    return S_OK;
}

/* Create the object, or open the existing one for exactly `access` (CreateMutexEx and CreateEventEx
 * do both in one call, so there is no window between a failed open and a create). */
static HANDLE sync_create(struct sr_mapping *map, enum sr_sync which, const WCHAR *name, DWORD access, BOOL *existed)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), map->sync_sd[which], FALSE };
    HANDLE h = which == SYNC_LOCK ? CreateMutexExW(sa.lpSecurityDescriptor ? &sa : NULL, name, 0, access)
                                  : CreateEventExW(sa.lpSecurityDescriptor ? &sa : NULL, name, 0, access);
    *existed = h && GetLastError() == ERROR_ALREADY_EXISTS;
    return h;
}

/* Open what need asks for into its slot. map->sync_lock held exclusively. */
static HRESULT sync_open(struct sr_mapping *map, const WCHAR *method, enum sr_need need)
{
    enum sr_sync which = needs[need].which;
    DWORD access = needs[need].access;
    WCHAR *name = NULL;
    BOOL existed;
    HANDLE h;
    HRESULT hr;

    if (FAILED(hr = sync_kernel_name(map, method, which, &name))) return hr;
    /* A private event is one object behind both slots. */
    if (!name && which == SYNC_SIGNAL) access = SYNCHRONIZE | EVENT_MODIFY_STATE;
    if (!(h = sync_create(map, which, name, access, &existed)))
    {
        DWORD err = GetLastError();
        if (err == ERROR_INVALID_HANDLE)
            hr = sr_win32_error(err, &IID_ISharedRegion, L"%ls: the region's %ls '%ls' cannot be used: that name belongs "
                                L"to another kind of kernel object", method, sync_noun(which), name);
        else
            hr = sr_win32_error(err, &IID_ISharedRegion, L"%ls: cannot open the region's %ls '%ls'", method,
                                sync_noun(which), name ? name : L"(anonymous)");
        goto done;
    }
    *sync_slot(map, need) = h;
    if (!name && which == SYNC_SIGNAL)
    {
        HANDLE *other = sync_slot(map, need == NEED_WAIT ? NEED_SET : NEED_WAIT);
        if (!*other && !DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), other, 0, FALSE, DUPLICATE_SAME_ACCESS))
            *other = NULL;
    }
done:
    HeapFree(GetProcessHeap(), 0, name);
    return hr;
}

HRESULT mapping_sync_object(struct sr_mapping *map, const WCHAR *method, enum sr_need need, HANDLE *out)
{
    HRESULT hr = S_OK;

    AcquireSRWLockExclusive(&map->sync_lock);
    map->sync_used[needs[need].which] = TRUE;
    if (!*sync_slot(map, need)) hr = sync_open(map, method, need);
    *out = *sync_slot(map, need);
    ReleaseSRWLockExclusive(&map->sync_lock);
    return hr;
}

void mapping_sync_prefetch(struct sr_mapping *map)
{
    AcquireSRWLockExclusive(&map->sync_lock);
    if (map->name || map->sync_name[SYNC_LOCK])
    {
        if (!map->lock) sync_open(map, L"Open", NEED_LOCK);
        if (!map->signal_wait && !map->signal_set) sync_open(map, L"Open", NEED_WAIT);
        SetErrorInfo(0, NULL); /* a DACL that refuses them is reported when they are used */
    }
    ReleaseSRWLockExclusive(&map->sync_lock);
}

HRESULT mapping_get_sync_name(struct sr_mapping *map, enum sr_sync which, BSTR *out)
{
    WCHAR *name = NULL;
    HRESULT hr;

    AcquireSRWLockShared(&map->sync_lock);
    hr = sync_kernel_name(map, which == SYNC_LOCK ? L"LockName" : L"SignalName", which, &name);
    ReleaseSRWLockShared(&map->sync_lock);
    if (FAILED(hr)) return hr;
    *out = SysAllocString(name ? name : L"");
    HeapFree(GetProcessHeap(), 0, name);
    return *out ? S_OK : E_OUTOFMEMORY;
}

HRESULT mapping_set_sync_name(struct sr_mapping *map, const WCHAR *method, enum sr_sync which, const WCHAR *name)
{
    HRESULT hr = S_OK;
    WCHAR *kname;

    if (!name || !*name)
        return sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: the name is empty; give the kernel name of a %ls",
                        method, which == SYNC_LOCK ? L"mutex" : L"event");
    if (FAILED(hr = normalize_name(method, name, TRUE, &kname))) return hr;
    AcquireSRWLockExclusive(&map->sync_lock);
    /* A Global\ name gets a DACL when it is created, even for a region that has none. */
    if (!map->sync_sd[which] && has_prefix(kname, L"Global\\")
        && FAILED(hr = token_sync_sd(method, kname, which, &map->sync_sd[which])))
    {
        HeapFree(GetProcessHeap(), 0, kname);
        goto done;
    }
    if (map->sync_used[which])
    {
        hr = sr_error(HRESULT_FROM_WIN32(ERROR_BUSY), &IID_ISharedRegion,
                      L"%ls: the region's %ls is already in use (%ls was called on this region); set %ls before the "
                      L"first %ls", method, sync_noun(which), which == SYNC_LOCK ? L"Lock or Unlock" : L"Signal or WaitSignal",
                      method, which == SYNC_LOCK ? L"Lock" : L"Signal or WaitSignal");
        HeapFree(GetProcessHeap(), 0, kname);
        goto done;
    }
    /* The objects opened under the old name (never used) are let go; the new ones open on first use. */
    if (which == SYNC_LOCK)
    {
        if (map->lock) CloseHandle(map->lock);
        map->lock = NULL;
    }
    else
    {
        if (map->signal_wait) CloseHandle(map->signal_wait);
        if (map->signal_set) CloseHandle(map->signal_set);
        map->signal_wait = map->signal_set = NULL;
    }
    HeapFree(GetProcessHeap(), 0, map->sync_name[which]);
    map->sync_name[which] = kname;
done:
    ReleaseSRWLockExclusive(&map->sync_lock);
    return hr;
}

/* Create: claim the lock and signal names for the new region, before its section exists, so that no
 * peer's Open can create them first and no other program's objects are adopted. *taken: an object
 * already had the name (someone else's, or a peer creating the same region right now). */
static HRESULT sync_claim(struct sr_mapping *map, const WCHAR *method, enum sr_sync which, BOOL *taken)
{
    WCHAR *name = NULL;
    BOOL existed = FALSE;
    HANDLE h;
    HRESULT hr;
    DWORD err;

    *taken = FALSE;
    if (FAILED(hr = sync_kernel_name(map, method, which, &name)) || !name) return hr;
    h = sync_create(map, which, name, SYNCHRONIZE | (which == SYNC_LOCK ? MUTEX_MODIFY_STATE : EVENT_MODIFY_STATE), &existed);
    err = GetLastError();
    if (h && !existed)
    {
        if (which == SYNC_LOCK) map->lock = h;
        else map->signal_set = h;
        goto done;
    }
    if (h) CloseHandle(h);
    if (h || err == ERROR_ACCESS_DENIED || err == ERROR_INVALID_HANDLE)
    {
        *taken = TRUE;
        hr = sr_error(HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), &IID_ISharedRegion,
                      L"%ls: the region's %ls '%ls' already exists, held by another program, so this region cannot "
                      L"claim it; %ls never adopts an existing lock or signal object", method, sync_noun(which), name,
                      method);
    }
    else
        hr = sr_win32_error(err, &IID_ISharedRegion, L"%ls: cannot create the region's %ls '%ls'", method,
                            sync_noun(which), name);
done:
    HeapFree(GetProcessHeap(), 0, name);
    return hr;
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

/* ---- waits, and the lock keeper ---- */

/* A single-threaded apartment must keep pumping while it waits (an HTA, a VBA form): otherwise
 * its window freezes and calls into the apartment deadlock. The multithreaded apartment, and a
 * thread without COM, wait plainly. */
static BOOL in_sta(void)
{
    APTTYPEQUALIFIER qualifier;
    APTTYPE type;

    return SUCCEEDED(CoGetApartmentType(&type, &qualifier)) && (type == APTTYPE_STA || type == APTTYPE_MAINSTA);
}

DWORD sync_wait(HANDLE h, DWORD timeout)
{
    DWORD index = 0;
    HRESULT hr;

    if (!in_sta()) return WaitForSingleObject(h, timeout);
    hr = CoWaitForMultipleHandles(0, timeout, 1, &h, &index);
    if (hr == RPC_S_CALLPENDING || hr == HRESULT_FROM_WIN32(RPC_S_CALLPENDING)) return WAIT_TIMEOUT;
    if (FAILED(hr))
    {
        SetLastError(HRESULT_CODE(hr));
        return WAIT_FAILED;
    }
    return index == WAIT_ABANDONED_0 ? WAIT_ABANDONED : WAIT_OBJECT_0;
}

/* The lock keepers. A mutex belongs to the thread that acquired it, and only that thread can
 * release it: a final Release on a .NET finalizer thread could never give back a lock that the
 * script's thread took. So no caller's thread ever holds one of our mutexes: each thread that calls
 * Lock gets a keeper thread, which does the waits and the releases for it. Any thread can then ask
 * that keeper to release, and the mutex stays a real mutex: when the process dies holding it, the
 * next owner sees WAIT_ABANDONED. One keeper per calling thread (not per object) keeps what a mutex
 * does for one thread: its Locks through two objects of the same region nest instead of waiting for
 * each other, and two threads exclude each other.
 *
 * A keeper outlives the locks it holds (starting a thread per Lock would be slow) and ends when
 * DllCanUnloadNow finds no object left, or by itself once the thread it served has ended and it
 * holds nothing: a host whose threads come and go (a thread pool, a script host's worker threads)
 * never piles up keepers. After KEEPER_LINGER_MS without a request an idle keeper also waits on its
 * client's thread handle, so it sees that thread end; a keeper whose client ended while a lock was
 * held through it ends when that lock goes back (keeper_put). Its thread holds a reference on the
 * DLL, taken by the thread that starts it before CreateThread (so there is no moment when the thread
 * runs the DLL's code without one), and ends with FreeLibraryAndExitThread, so the code it runs
 * cannot be unloaded under it, even by a host that calls FreeLibrary or CoUninitialize without
 * asking DllCanUnloadNow. keeper_stop_idle waits for the threads it ends, so that DllCanUnloadNow's
 * S_OK is true when it is said. Nothing of this runs in DllMain; at process exit the threads are
 * simply gone and their mutexes abandoned. */
#define KEEPER_LINGER_MS 1000
enum keeper_op { KEEPER_ACQUIRE, KEEPER_RELEASE, KEEPER_QUIT };

struct sr_keeper
{
    struct sr_keeper *next;  /* in the list below */
    DWORD client_id;         /* the thread it serves */
    HANDLE client;           /* that thread (SYNCHRONIZE), to see that it has ended */
    LONG refs;               /* locks held through it; guarded by keepers_lock */
    BOOL listed;             /* in the list; guarded by keepers_lock */
    BOOL orphan;             /* its client ended while refs > 0; guarded by keepers_lock */
    BOOL self_free;          /* on KEEPER_QUIT the thread frees the keeper itself (nobody waits for it) */
    HMODULE module;          /* the thread's reference on the DLL */
    HANDLE thread;
    HANDLE request;          /* auto-reset: a request is in the fields below */
    HANDLE done;             /* auto-reset: the request was carried out */
    CRITICAL_SECTION call;   /* one request at a time (Unlock on one thread, Release on another) */
    DWORD caller;            /* the thread whose request is in progress, or 0 */
    enum keeper_op op;
    HANDLE mutex;
    DWORD timeout;
    DWORD result;            /* WAIT_* for ACQUIRE; TRUE/FALSE for RELEASE */
    DWORD error;
};

static SRWLOCK keepers_lock = SRWLOCK_INIT;
static struct sr_keeper *keepers;
/* Each thread's keeper (compared, never followed): allocated on first use, never in DllMain. */
static DWORD keeper_tls = TLS_OUT_OF_INDEXES;

static void keeper_free(struct sr_keeper *k);

/* The keeper's client has ended: leave the list if it holds nothing (TRUE: the thread frees the
 * keeper and ends). Else the last keeper_put ends it. */
static BOOL keeper_leave(struct sr_keeper *k)
{
    BOOL leave = FALSE;

    AcquireSRWLockExclusive(&keepers_lock);
    if (k->listed && !k->refs)
    {
        struct sr_keeper **prev;
        for (prev = &keepers; *prev != k; prev = &(*prev)->next) ;
        *prev = k->next;
        k->listed = FALSE;
        leave = TRUE;
    }
    else if (k->listed)
        k->orphan = TRUE;
    ReleaseSRWLockExclusive(&keepers_lock);
    return leave;
}

static DWORD WINAPI keeper_proc(void *arg)
{
    struct sr_keeper *k = arg;
    HANDLE idle[2] = { k->request, k->client };
    HMODULE self = k->module;
    BOOL orphan = FALSE, self_free = TRUE;
    DWORD res = WaitForMultipleObjects(2, idle, FALSE, INFINITE);

    for (;;)
    {
        if (res == WAIT_OBJECT_0 + 1) /* the client thread has ended */
        {
            if (keeper_leave(k)) break;
            orphan = TRUE;
            res = WaitForSingleObject(k->request, INFINITE);
            continue;
        }
        if (res != WAIT_OBJECT_0) break; /* cannot happen; the thread ends, and waiters see it */
        if (k->op == KEEPER_QUIT)
        {
            self_free = k->self_free;
            break;
        }
        k->error = 0;
        if (k->op == KEEPER_ACQUIRE)
        {
            k->result = WaitForSingleObject(k->mutex, k->timeout);
            if (k->result == WAIT_FAILED) k->error = GetLastError();
        }
        else if (!(k->result = ReleaseMutex(k->mutex)))
            k->error = GetLastError();
        /* One system call per hand-over each way: answer and wait for the next request together. */
        res = SignalObjectAndWait(k->done, k->request, KEEPER_LINGER_MS, FALSE);
        if (res == WAIT_TIMEOUT)
            res = orphan ? WaitForSingleObject(k->request, INFINITE) : WaitForMultipleObjects(2, idle, FALSE, INFINITE);
    }
    /* keeper_end waits for this thread and frees the keeper; otherwise nobody else knows of it now. */
    if (self_free) keeper_free(k);
    FreeLibraryAndExitThread(self, 0);
    return 0;
}

static void keeper_free(struct sr_keeper *k)
{
    if (k->thread) CloseHandle(k->thread);
    if (k->client) CloseHandle(k->client);
    if (k->request) CloseHandle(k->request);
    if (k->done) CloseHandle(k->done);
    DeleteCriticalSection(&k->call);
    HeapFree(GetProcessHeap(), 0, k);
}

/* End an idle keeper that is out of the list, and wait until its thread is gone. */
static void keeper_end(struct sr_keeper *k)
{
    k->self_free = FALSE;
    k->op = KEEPER_QUIT;
    SetEvent(k->request);
    /* An idle keeper answers at once. Should it not (a suspended process), it is left as it is:
     * freeing what its thread may still read would be worse than a leak. */
    if (WaitForSingleObject(k->thread, 10000) == WAIT_OBJECT_0) keeper_free(k);
}

static HRESULT keeper_new(const WCHAR *method, struct sr_keeper **out)
{
    struct sr_keeper *k = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*k));
    HRESULT hr;

    *out = NULL;
    if (!k) return sr_error(E_OUTOFMEMORY, &IID_ISharedRegion, L"%ls: out of memory", method);
    InitializeCriticalSection(&k->call);
    k->client_id = GetCurrentThreadId();
    if (!DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &k->client, SYNCHRONIZE, FALSE, 0)
        || !(k->request = CreateEventW(NULL, FALSE, FALSE, NULL)) || !(k->done = CreateEventW(NULL, FALSE, FALSE, NULL)))
    {
        hr = sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: cannot create the lock's events", method);
        keeper_free(k);
        return hr;
    }
    /* The thread's reference on the DLL is taken here, before it exists: it is never without one. */
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, (const WCHAR *)keeper_proc, &k->module))
    {
        hr = sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: cannot reference the DLL for the lock's thread",
                            method);
        keeper_free(k);
        return hr;
    }
    if (!(k->thread = CreateThread(NULL, 64 * 1024, keeper_proc, k, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL)))
    {
        hr = sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: cannot start the lock's thread", method);
        FreeLibrary(k->module);
        keeper_free(k);
        return hr;
    }
    *out = k;
    return S_OK;
}

HRESULT keeper_get(const WCHAR *method, struct sr_keeper **out)
{
    struct sr_keeper *k, *made, *mine;
    DWORD me = GetCurrentThreadId();
    HRESULT hr;

    *out = NULL;
    if (keeper_tls == TLS_OUT_OF_INDEXES)
    {
        DWORD slot = TlsAlloc();
        if (slot == TLS_OUT_OF_INDEXES)
            return sr_win32_error(GetLastError(), &IID_ISharedRegion, L"%ls: cannot allocate a thread-local slot", method);
        if ((DWORD)InterlockedCompareExchange((LONG *)&keeper_tls, slot, TLS_OUT_OF_INDEXES) != TLS_OUT_OF_INDEXES)
            TlsFree(slot); /* another thread allocated it first */
    }
    /* This thread's keeper is the one its slot names, if that is still in the list with this
     * thread's id. Comparing ids alone would not do: the id of an ended thread comes back to new
     * threads, whose slot starts empty. No system call on this path. */
    mine = TlsGetValue(keeper_tls);
    AcquireSRWLockExclusive(&keepers_lock);
    for (k = keepers; k; k = k->next)
        if (k == mine && k->client_id == me && !k->orphan) break;
    if (k) k->refs++;
    ReleaseSRWLockExclusive(&keepers_lock);
    if (k)
    {
        *out = k;
        return S_OK;
    }
    if (FAILED(hr = keeper_new(method, &made))) return hr;
    TlsSetValue(keeper_tls, made);
    made->refs = 1;
    made->listed = TRUE;
    AcquireSRWLockExclusive(&keepers_lock);
    made->next = keepers;
    keepers = made;
    ReleaseSRWLockExclusive(&keepers_lock);
    *out = made;
    return S_OK;
}

void keeper_put(struct sr_keeper *k)
{
    BOOL quit = FALSE;

    AcquireSRWLockExclusive(&keepers_lock);
    if (!--k->refs && k->orphan && k->listed)
    {
        struct sr_keeper **prev;
        for (prev = &keepers; *prev != k; prev = &(*prev)->next) ;
        *prev = k->next;
        k->listed = FALSE;
        quit = TRUE;
    }
    ReleaseSRWLockExclusive(&keepers_lock);
    if (quit) /* its client ended and its last lock went back: the thread ends and frees it */
    {
        k->self_free = TRUE;
        k->op = KEEPER_QUIT;
        SetEvent(k->request);
    }
}

void keeper_stop_idle(void)
{
    struct sr_keeper *k, **prev, *idle = NULL;

    AcquireSRWLockExclusive(&keepers_lock);
    for (prev = &keepers; (k = *prev); )
    {
        if (k->refs)
        {
            prev = &k->next;
            continue;
        }
        *prev = k->next;
        k->listed = FALSE;
        k->next = idle;
        idle = k;
    }
    ReleaseSRWLockExclusive(&keepers_lock);
    while ((k = idle))
    {
        idle = k->next;
        keeper_end(k);
    }
    /* No object is left (DllCanUnloadNow), so no Lock runs: give the slot back, or every unload and
     * reload of the DLL would keep one. The next Lock allocates another. */
    AcquireSRWLockShared(&keepers_lock);
    if (!keepers)
    {
        DWORD slot = (DWORD)InterlockedExchange((LONG *)&keeper_tls, TLS_OUT_OF_INDEXES);
        if (slot != TLS_OUT_OF_INDEXES) TlsFree(slot);
    }
    ReleaseSRWLockShared(&keepers_lock);
}

/* Hand one request to the keeper and wait for it. pump: wait as sync_wait does (an acquire may take
 * long); a release is answered at once. The keeper thread ending (process exit) ends the wait too. */
static BOOL keeper_call(struct sr_keeper *k, enum keeper_op op, HANDLE mutex, DWORD timeout, BOOL pump)
{
    HANDLE both[2] = { k->done, k->thread };
    BOOL ok;

    /* A single-threaded apartment pumps while its Lock waits: a call that comes in then and asks
     * the same keeper for something would find it busy with that Lock. */
    if ((DWORD)InterlockedCompareExchange((LONG *)&k->caller, 0, 0) == GetCurrentThreadId())
    {
        SetLastError(ERROR_POSSIBLE_DEADLOCK);
        return FALSE;
    }
    EnterCriticalSection(&k->call);
    InterlockedExchange((LONG *)&k->caller, GetCurrentThreadId());
    k->op = op;
    k->mutex = mutex;
    k->timeout = timeout;
    k->result = op == KEEPER_ACQUIRE ? WAIT_FAILED : FALSE;
    k->error = ERROR_INVALID_HANDLE;
    if (pump && in_sta())
    {
        SetEvent(k->request);
        ok = sync_wait(k->done, INFINITE) == WAIT_OBJECT_0;
    }
    else if (pump) /* an acquire in the MTA: the keeper cannot end while it works for us */
        ok = SignalObjectAndWait(k->request, k->done, INFINITE, FALSE) == WAIT_OBJECT_0;
    else
    {
        SetEvent(k->request);
        ok = WaitForMultipleObjects(2, both, FALSE, INFINITE) == WAIT_OBJECT_0;
    }
    if (!ok && GetLastError() == ERROR_SUCCESS) SetLastError(ERROR_INVALID_HANDLE); /* the keeper is gone */
    InterlockedExchange((LONG *)&k->caller, 0);
    LeaveCriticalSection(&k->call);
    return ok;
}

DWORD keeper_acquire(struct sr_keeper *k, HANDLE mutex, DWORD timeout, DWORD *error)
{
    if (!keeper_call(k, KEEPER_ACQUIRE, mutex, timeout, TRUE))
    {
        *error = GetLastError();
        return WAIT_FAILED;
    }
    *error = k->error;
    return k->result;
}

BOOL keeper_release(struct sr_keeper *k, HANDLE mutex, DWORD *error)
{
    if (!keeper_call(k, KEEPER_RELEASE, mutex, 0, FALSE))
    {
        *error = GetLastError();
        return FALSE;
    }
    *error = k->error;
    return k->result;
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
        /* An access that fits in one window is moved in one copy: the window moves to where it starts
         * rather than copying the part in the current window first. So only an access larger than a
         * window can stop half done because the next window cannot be mapped. */
        BOOL fits = span->sliding && span->win && count <= SR_WINDOW_SIZE - allocation_granularity()
                    && offset + count > span->win_off + span->win_len;
        if (!span->win || offset < span->win_off || offset >= span->win_off + span->win_len || fits)
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
