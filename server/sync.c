/*
 * SharedRegion server: the lock and signal objects beside a region, and the lock's rules.
 *
 * The lock's rules, all of them (region.c's Lock, Unlock, Close and Release, and snapshot.c's "lock"
 * guard, follow them; docs/hardening.md lists each with its test):
 *  - The mutex is never held by a caller's thread: the calling thread's lock keeper (below)
 *    waits for it and releases it, so any thread can have it released.
 *  - The lock belongs to the object whose Lock took it (struct sr_lock, kept under the object's
 *    span lock). The taking thread's further Locks on that object nest (depth + 1, no wait); its
 *    Locks through another object of the same region nest in the mutex (one keeper per thread), as a
 *    mutex does for one thread. A Lock on another thread waits for the mutex like any other process.
 *  - Unlock, on any thread, gives back one level of the object's lock; the last level has the keeper
 *    release the mutex (PowerShell may run successive lines on different threads). Unlock when the
 *    object holds nothing is ERROR_NOT_OWNER, and says that Lock may have timed out.
 *  - Close and the final Release, on any thread (a .NET finalizer), give the lock back whatever the
 *    depth; a Lock that was still waiting then gives it back at once and fails with SR_E_NOTOPEN.
 *  - A release never waits behind an acquire: a keeper's one wait covers its request queue and every
 *    mutex its thread's Locks wait for, so it serves an Unlock, Close or final Release at once, from
 *    any thread, or from a message handler that runs on its own thread while that thread's Lock pumps
 *    (a single-threaded apartment).
 *  - No object lock is held while a keeper is asked: the record comes off under the span lock and
 *    the mutex goes back after the span lock is released (lock_give_back), so data calls never wait.
 *  - A failed pumping wait takes its acquire back and waits, without pumping, for the keeper's
 *    answer; a mutex taken meanwhile goes back at once. No mutex is held with no record of it.
 *  - A Lock refused before it waited (access denied, a name that belongs to an event) fixes nothing:
 *    LockName can still be set.
 *  - The process ending with the lock held abandons the mutex: the next owner sees LockAbandoned.
 *  - Lock and WaitSignal wait with sync_wait: in a single-threaded apartment messages flow.
 *  - Snapshot's "lock" guard (snapshot.c) takes the mutex through the calling thread's keeper and
 *    gives it back before Snapshot returns, as a Lock and an Unlock on that thread would: inside a
 *    Lock the thread holds it nests, and it never outlives the call.
 *
 * This file is longer than the others (about a thousand lines) because it is one concern from end to
 * end: a lock or signal object's security, its opening, the waits on it and the keeper threads that
 * take and give back the lock. Split, "who releases this lock" would again be answered in several
 * files, which is how the release path's defects came about.
 *
 * Who owns what here:
 *   - struct sr_mapping (private.h) holds the mutex handle and the event's two handles; they are
 *     opened or created here on first use (or claimed by Create) and closed with the mapping
 *     (mapping_release, mapping.c);
 *   - struct sr_keeper owns its thread, its events and a handle on the thread it serves;
 *     keeper_end or the keeper's own thread frees them.
 */
#include <wchar.h>
#include "private.h"
#include <sddl.h>

#ifndef EVENT_QUERY_STATE
#define EVENT_QUERY_STATE 0x0001
#endif

static const WCHAR *const sync_suffix[] = { SR_LOCK_SUFFIX, SR_SIGNAL_SUFFIX };

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
HRESULT make_sync_security(const WCHAR *method, struct sr_mapping *map)
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
    else if (map->name && name_is_global(map->name))
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
    if (!*sync_slot(map, need)) hr = sync_open(map, method, need);
    /* Only an object that opened fixes the name: after a refusal (access denied, a name that belongs
     * to an event) LockName and SignalName can still be set. */
    if (SUCCEEDED(hr)) map->sync_used[needs[need].which] = TRUE;
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

HRESULT mapping_set_sync_name(struct sr_mapping *map, const WCHAR *method, enum sr_sync which, WCHAR *kname)
{
    HRESULT hr = S_OK;

    AcquireSRWLockExclusive(&map->sync_lock);
    /* A Global\ name gets a DACL when it is created, even for a region that has none. */
    if (!map->sync_sd[which] && name_is_global(kname)
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
HRESULT sync_claim(struct sr_mapping *map, const WCHAR *method, enum sr_sync which, BOOL *taken)
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

/* Wait for any of handles up to timeout ms; in a single-threaded apartment with
 * CoWaitForMultipleHandles, which keeps the apartment's messages and incoming calls flowing.
 * Returns WAIT_OBJECT_0 + i, WAIT_ABANDONED_0 + i, WAIT_TIMEOUT or WAIT_FAILED (GetLastError set). */
DWORD sync_wait_any(DWORD count, HANDLE *handles, DWORD timeout)
{
    DWORD index = 0;
    HRESULT hr;

    if (!in_sta()) return WaitForMultipleObjects(count, handles, FALSE, timeout);
    hr = CoWaitForMultipleHandles(0, timeout, count, handles, &index);
    if (hr == RPC_S_CALLPENDING || hr == HRESULT_FROM_WIN32(RPC_S_CALLPENDING)) return WAIT_TIMEOUT;
    if (FAILED(hr))
    {
        SetLastError(HRESULT_CODE(hr));
        return WAIT_FAILED;
    }
    return index; /* WAIT_OBJECT_0 + i, or WAIT_ABANDONED_0 + i */
}

DWORD sync_wait(HANDLE h, DWORD timeout)
{
    return sync_wait_any(1, &h, timeout);
}

/* The pacer: a wait of about a millisecond between two looks at memory that another process writes
 * (WaitChange's poll, Snapshot's last back-off step), waited for with sync_wait so that a
 * single-threaded apartment keeps pumping. A waitable timer, because Sleep cannot pump and
 * CoWaitForMultipleHandles needs a handle; a periodic one (set once, an auto-reset tick every
 * millisecond), so that each wait is one wait and no SetWaitableTimer. A high-resolution timer
 * (CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, Windows 10 1803 and later) ticks every millisecond
 * whatever the system timer's period. Where Windows has none, a plain waitable timer ticks with the
 * system timer, every 15.6 ms by default: a change is then seen within one such tick.
 * timeBeginPeriod, which would shorten the system timer's period, is not called: it raises every
 * program's timer rate. Where no timer can be made at all (out of handles), the wait is Sleep(1),
 * which does not pump. The timer is made on the first wait, so a Snapshot that never backs off
 * that far makes none. */
#ifndef CREATE_WAITABLE_TIMER_HIGH_RESOLUTION
#define CREATE_WAITABLE_TIMER_HIGH_RESOLUTION 0x00000002
#endif

void pacer_init(struct sr_pacer *p)
{
    p->timer = NULL;
    p->high_resolution = FALSE;
}

void pacer_wait(struct sr_pacer *p)
{
    if (!p->timer)
    {
        LARGE_INTEGER due;
        due.QuadPart = -10000; /* 1 ms from now, then every millisecond */
        p->timer = CreateWaitableTimerExW(NULL, NULL, CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, TIMER_ALL_ACCESS);
        p->high_resolution = p->timer != NULL;
        if (!p->timer) p->timer = CreateWaitableTimerExW(NULL, NULL, 0, TIMER_ALL_ACCESS);
        if (p->timer && !SetWaitableTimer(p->timer, &due, 1, NULL, NULL, FALSE))
        {
            CloseHandle(p->timer);
            p->timer = NULL;
        }
        TRACE("timer %p (%s)", p->timer, p->high_resolution ? "high resolution" : "system timer ticks");
    }
    /* A tick is at most a period away; the timeout only guards against a timer that never fires. */
    if (p->timer && sync_wait(p->timer, 1000) != WAIT_FAILED) return;
    Sleep(1);
}

void pacer_done(struct sr_pacer *p)
{
    if (p->timer) CloseHandle(p->timer);
    p->timer = NULL;
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
 * A keeper serves a queue of requests, and one wait covers the queue's event and every mutex an
 * acquire is waiting for. So a release is carried out as soon as it is asked for, even while
 * acquires wait: a thread whose Lock waits for one region never holds up the Unlock, Close or final
 * Release of another region's lock, from any thread, nor from a message handler that runs on the
 * waiting thread itself (a single-threaded apartment pumps while Lock waits). A request lives on the
 * stack of the thread that makes it, which waits until the keeper sets the request's event; those
 * events are kept for the next requests, so a Lock costs no event creation.
 *
 * A keeper outlives the locks it holds (starting a thread per Lock would be slow) and ends when
 * DllCanUnloadNow finds no object left, or by itself once the thread it served has ended and it
 * holds nothing: a host whose threads come and go (a thread pool, a script host's worker threads)
 * never piles up keepers. A keeper whose client ended while a lock was held through it ends when
 * that lock goes back (keeper_put). Its thread holds a reference on the DLL, taken by the thread
 * that starts it before CreateThread (so there is no moment when the thread runs the DLL's code
 * without one), and ends with FreeLibraryAndExitThread, so the code it runs cannot be unloaded under
 * it, even by a host that calls FreeLibrary or CoUninitialize without asking DllCanUnloadNow.
 * keeper_stop_idle waits for the threads it ends, so that DllCanUnloadNow's S_OK is true when it is
 * said. Nothing of this runs in DllMain; at process exit the threads are simply gone and their
 * mutexes abandoned. */
enum keeper_op { KEEPER_ACQUIRE, KEEPER_RELEASE };
#define KEEPER_FOREVER      (~0ULL)
/* Acquires one keeper waits for at once: a wait takes 64 handles, two of which are the queue's
 * event and the client thread. Only Locks re-entered from message handlers can wait at once. */
#define KEEPER_MAX_WAITING  (MAXIMUM_WAIT_OBJECTS - 2)
#define KEEPER_SPARE_EVENTS 4

/* One request, on the stack of the thread that makes it; that thread waits until `done` is set. */
struct keeper_req
{
    struct keeper_req *next; /* in the keeper's queue */
    enum keeper_op op;
    HANDLE mutex;
    ULONGLONG deadline;      /* an acquire's GetTickCount64() time-out; KEEPER_FOREVER: none */
    LONG cancel;             /* an acquire whose caller stopped waiting (Interlocked) */
    DWORD result;            /* WAIT_* for an acquire; TRUE/FALSE for a release */
    DWORD error;
    HANDLE done;             /* auto-reset; set by the keeper once result and error are final */
};

struct sr_keeper
{
    struct sr_keeper *next;  /* in the list below */
    DWORD client_id;         /* the thread it serves */
    HANDLE client;           /* that thread (SYNCHRONIZE), to see that it has ended */
    LONG refs;               /* locks held through it, and acquires under way; guarded by keepers_lock */
    BOOL listed;             /* in the list; guarded by keepers_lock */
    BOOL orphan;             /* its client ended while refs > 0; guarded by keepers_lock */
    BOOL self_free;          /* on quit the thread frees the keeper itself (nobody waits for it) */
    LONG quit;               /* end now (Interlocked; set only once nothing is held or asked for) */
    HMODULE module;          /* the thread's reference on the DLL */
    HANDLE thread;
    HANDLE request;          /* auto-reset: news in the queue, a cancel, or quit */
    CRITICAL_SECTION queue_lock;  /* guards queue, spare and spares */
    struct keeper_req *queue;     /* requests the thread has not taken yet, newest first */
    HANDLE spare[KEEPER_SPARE_EVENTS]; /* done events of answered requests, for the next ones */
    UINT spares;
};

static SRWLOCK keepers_lock = SRWLOCK_INIT;
static struct sr_keeper *keepers;
/* Each thread's keeper (compared, never followed): allocated on first use, never in DllMain; freed
 * only on a real unload (keeper_unload), so a Lock never meets a slot that another thread freed. */
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

static void keeper_answer(struct keeper_req *r, DWORD result, DWORD error)
{
    r->result = result;
    r->error = error;
    SetEvent(r->done);
}

/* The keeper's thread took what the queue held: carry out the releases, try the acquires, and add
 * those that must wait to waiting[]. */
static void keeper_take_queue(struct sr_keeper *k, struct keeper_req **waiting, UINT *n_waiting)
{
    struct keeper_req *r, *fifo = NULL, *next;
    ULONGLONG now = GetTickCount64();
    DWORD res;

    EnterCriticalSection(&k->queue_lock);
    for (r = k->queue; r; r = next) /* newest first: turn it round */
    {
        next = r->next;
        r->next = fifo;
        fifo = r;
    }
    k->queue = NULL;
    LeaveCriticalSection(&k->queue_lock);
    for (r = fifo; r; r = next)
    {
        next = r->next;
        if (r->op == KEEPER_RELEASE)
        {
            BOOL ok = ReleaseMutex(r->mutex);
            keeper_answer(r, ok, ok ? 0 : GetLastError());
        }
        else if ((res = WaitForSingleObject(r->mutex, 0)) != WAIT_TIMEOUT)
            keeper_answer(r, res, res == WAIT_FAILED ? GetLastError() : 0);
        else if (r->deadline != KEEPER_FOREVER && r->deadline <= now)
            keeper_answer(r, WAIT_TIMEOUT, 0);
        else if (*n_waiting == KEEPER_MAX_WAITING)
            keeper_answer(r, WAIT_FAILED, ERROR_BUSY);
        else
            waiting[(*n_waiting)++] = r;
    }
}

/* The keeper owns `mutex` now, once (how: WAIT_OBJECT_0 or WAIT_ABANDONED): it goes to the first
 * acquire that waits for that handle; every further one owns it one level more (a mutex counts). */
static void keeper_got(HANDLE mutex, DWORD how, struct keeper_req **waiting, UINT *n_waiting)
{
    UINT i, kept = 0;
    BOOL spare_level = TRUE;

    for (i = 0; i < *n_waiting; i++)
    {
        struct keeper_req *r = waiting[i];
        if (r->mutex != mutex || InterlockedCompareExchange(&r->cancel, 0, 0))
        {
            waiting[kept++] = r;
            continue;
        }
        if (spare_level) spare_level = FALSE;
        else how = WaitForSingleObject(mutex, 0); /* already ours: one more level, at once */
        keeper_answer(r, how, how == WAIT_FAILED ? GetLastError() : 0);
        how = WAIT_OBJECT_0;
    }
    *n_waiting = kept;
    if (spare_level) ReleaseMutex(mutex); /* every acquire for it was cancelled meanwhile */
}

/* Answer the acquires that were cancelled or whose time is up. */
static void keeper_expire(struct keeper_req **waiting, UINT *n_waiting)
{
    ULONGLONG now = GetTickCount64();
    UINT i, kept = 0;

    for (i = 0; i < *n_waiting; i++)
    {
        struct keeper_req *r = waiting[i];
        if (InterlockedCompareExchange(&r->cancel, 0, 0)) keeper_answer(r, WAIT_FAILED, ERROR_CANCELLED);
        else if (r->deadline != KEEPER_FOREVER && r->deadline <= now) keeper_answer(r, WAIT_TIMEOUT, 0);
        else waiting[kept++] = r;
    }
    *n_waiting = kept;
}

static DWORD WINAPI keeper_proc(void *arg)
{
    struct sr_keeper *k = arg;
    struct keeper_req *waiting[KEEPER_MAX_WAITING];
    HANDLE handles[MAXIMUM_WAIT_OBJECTS];
    HMODULE self = k->module;
    UINT n_waiting = 0, n, first_mutex, i, j;
    BOOL orphan = FALSE, self_free = TRUE;
    DWORD res, timeout;

    for (;;)
    {
        /* One wait: the queue, the client's end (until seen), and each mutex an acquire waits for. */
        ULONGLONG now = GetTickCount64();
        n = 0;
        handles[n++] = k->request;
        if (!orphan) handles[n++] = k->client;
        first_mutex = n;
        timeout = INFINITE;
        for (i = 0; i < n_waiting; i++)
        {
            for (j = first_mutex; j < n && handles[j] != waiting[i]->mutex; j++) ;
            if (j == n) handles[n++] = waiting[i]->mutex;
            if (waiting[i]->deadline != KEEPER_FOREVER)
            {
                ULONGLONG left = waiting[i]->deadline > now ? waiting[i]->deadline - now : 0;
                if (left < timeout) timeout = (DWORD)left;
            }
        }
        res = WaitForMultipleObjects(n, handles, FALSE, timeout);
        if (res == WAIT_OBJECT_0)
        {
            if (InterlockedCompareExchange(&k->quit, 0, 0))
            {
                self_free = k->self_free;
                break;
            }
            keeper_take_queue(k, waiting, &n_waiting);
        }
        else if (!orphan && res == WAIT_OBJECT_0 + 1) /* the client thread has ended */
        {
            if (keeper_leave(k)) break;
            orphan = TRUE;
        }
        else if (res >= WAIT_OBJECT_0 + first_mutex && res < WAIT_OBJECT_0 + n)
            keeper_got(handles[res - WAIT_OBJECT_0], WAIT_OBJECT_0, waiting, &n_waiting);
        else if (res >= WAIT_ABANDONED_0 + first_mutex && res < WAIT_ABANDONED_0 + n)
            keeper_got(handles[res - WAIT_ABANDONED_0], WAIT_ABANDONED, waiting, &n_waiting);
        else if (res == WAIT_FAILED) /* cannot happen: answer every acquire rather than spin */
        {
            DWORD err = GetLastError();
            for (i = 0; i < n_waiting; i++) keeper_answer(waiting[i], WAIT_FAILED, err);
            n_waiting = 0;
        }
        keeper_expire(waiting, &n_waiting);
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
    while (k->spares) CloseHandle(k->spare[--k->spares]);
    DeleteCriticalSection(&k->queue_lock);
    HeapFree(GetProcessHeap(), 0, k);
}

/* Tell a keeper that holds nothing and is asked for nothing to end. */
static void keeper_quit(struct sr_keeper *k, BOOL self_free)
{
    k->self_free = self_free;
    InterlockedExchange(&k->quit, 1);
    SetEvent(k->request);
}

/* End an idle keeper that is out of the list, and wait until its thread is gone. */
static void keeper_end(struct sr_keeper *k)
{
    keeper_quit(k, FALSE);
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
    InitializeCriticalSection(&k->queue_lock);
    k->client_id = GetCurrentThreadId();
    if (!DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &k->client, SYNCHRONIZE, FALSE, 0)
        || !(k->request = CreateEventW(NULL, FALSE, FALSE, NULL)))
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
    /* Its client ended and its last lock went back: the thread ends and frees it. */
    if (quit) keeper_quit(k, TRUE);
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
}

void keeper_unload(void)
{
    if (keeper_tls != TLS_OUT_OF_INDEXES) TlsFree(keeper_tls);
}

/* Hand a request to the keeper: r->done comes from the keeper's spares, or is made. */
static BOOL keeper_post(struct sr_keeper *k, struct keeper_req *r)
{
    r->done = NULL;
    r->result = r->op == KEEPER_ACQUIRE ? WAIT_FAILED : FALSE;
    r->error = ERROR_INVALID_HANDLE; /* the answer when the keeper is gone (process exit) */
    r->cancel = 0;
    EnterCriticalSection(&k->queue_lock);
    if (k->spares) r->done = k->spare[--k->spares];
    LeaveCriticalSection(&k->queue_lock);
    if (!r->done && !(r->done = CreateEventW(NULL, FALSE, FALSE, NULL))) return FALSE;
    EnterCriticalSection(&k->queue_lock);
    r->next = k->queue;
    k->queue = r;
    LeaveCriticalSection(&k->queue_lock);
    SetEvent(k->request);
    return TRUE;
}

/* Wait for the keeper's answer (pump: as sync_wait does). The keeper thread ending (process exit)
 * ends the wait too. FALSE: no answer; GetLastError says why. */
static BOOL keeper_wait(struct sr_keeper *k, struct keeper_req *r, BOOL pump)
{
    HANDLE both[2] = { r->done, k->thread };
    DWORD res = pump ? sync_wait_any(2, both, INFINITE) : WaitForMultipleObjects(2, both, FALSE, INFINITE);

    if (res == WAIT_OBJECT_0) return TRUE;
    if (res != WAIT_FAILED) SetLastError(ERROR_INVALID_HANDLE); /* the keeper is gone */
    return FALSE;
}

/* The request is answered (or the keeper is gone): its event is unsignalled, ready for the next one. */
static void keeper_done(struct sr_keeper *k, struct keeper_req *r)
{
    EnterCriticalSection(&k->queue_lock);
    if (k->spares < ARRAY_SIZE(k->spare))
    {
        k->spare[k->spares++] = r->done;
        r->done = NULL;
    }
    LeaveCriticalSection(&k->queue_lock);
    if (r->done) CloseHandle(r->done);
}

DWORD keeper_acquire(struct sr_keeper *k, HANDLE mutex, DWORD timeout, DWORD *error)
{
    struct keeper_req r;
    DWORD err;

    r.op = KEEPER_ACQUIRE;
    r.mutex = mutex;
    r.deadline = timeout == INFINITE ? KEEPER_FOREVER : GetTickCount64() + timeout;
    if (!keeper_post(k, &r))
    {
        *error = GetLastError();
        return WAIT_FAILED;
    }
    if (!keeper_wait(k, &r, TRUE))
    {
        /* The wait itself failed (a single-threaded apartment's wait can): take the request back and
         * wait, without pumping, until the keeper has let go of it. Should the mutex have been taken
         * first, it goes back at once: no mutex is ever held with nobody to give it back. */
        err = GetLastError();
        InterlockedExchange(&r.cancel, 1);
        SetEvent(k->request);
        if (keeper_wait(k, &r, FALSE) && (r.result == WAIT_OBJECT_0 || r.result == WAIT_ABANDONED))
            keeper_release(k, mutex, &r.error);
        r.result = WAIT_FAILED;
        r.error = err;
    }
    keeper_done(k, &r);
    *error = r.error;
    return r.result;
}

BOOL keeper_release(struct sr_keeper *k, HANDLE mutex, DWORD *error)
{
    struct keeper_req r;

    r.op = KEEPER_RELEASE;
    r.mutex = mutex;
    r.deadline = 0;
    if (!keeper_post(k, &r))
    {
        *error = GetLastError();
        return FALSE;
    }
    if (!keeper_wait(k, &r, FALSE)) r.error = GetLastError();
    keeper_done(k, &r);
    *error = r.error;
    return r.result;
}

/* ---- a lock held by one object (the lock's rules, at the top) ---- */

HRESULT lock_take(const WCHAR *method, struct sr_mapping *map, HANDLE mutex, DWORD timeout, struct sr_lock *held,
                  DWORD *res)
{
    struct sr_keeper *k;
    DWORD err = 0;
    HRESULT hr;

    memset(held, 0, sizeof(*held));
    *res = WAIT_FAILED;
    if (FAILED(hr = keeper_get(method, &k))) return hr;
    *res = keeper_acquire(k, mutex, timeout, &err);
    if (*res == WAIT_OBJECT_0 || *res == WAIT_ABANDONED)
    {
        held->keeper = k;
        held->map = map;
        held->mutex = mutex;
        held->owner = GetCurrentThreadId();
        held->depth = 1;
        mapping_addref(map);
        return S_OK;
    }
    keeper_put(k);
    if (*res == WAIT_TIMEOUT) return S_OK;
    return sr_win32_error(err, &IID_ISharedRegion, L"%ls: waiting for the region's lock mutex failed", method);
}

HRESULT lock_give_back(const WCHAR *method, struct sr_lock *held)
{
    HRESULT hr = S_OK;
    DWORD err;

    if (!held->depth) return S_OK;
    if (!keeper_release(held->keeper, held->mutex, &err))
        hr = sr_win32_error(err, &IID_ISharedRegion, L"%ls: cannot release the region's lock", method);
    keeper_put(held->keeper);
    mapping_release(held->map);
    memset(held, 0, sizeof(*held));
    return hr;
}
