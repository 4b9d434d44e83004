/*
 * SharedRegion tests: names and security. Create never opens a name someone else holds (squatting);
 * the sddl argument puts one security descriptor on the section and on its lock and signal objects,
 * read back from handles opened by name; a malformed sddl is E_INVALIDARG with a description; names
 * without a namespace land in Local\.
 */
#include "hardening.h"
#include <sddl.h>
#include <aclapi.h>

/* ---- the security descriptor of a kernel object, read back by name ---- */

#ifndef EVENT_QUERY_STATE
#define EVENT_QUERY_STATE 0x0001
#endif

enum object_kind { K_SECTION, K_MUTEX, K_EVENT };

static const GENERIC_MAPPING mappings[] =
{
    [K_SECTION] = { STANDARD_RIGHTS_READ | SECTION_QUERY | SECTION_MAP_READ, STANDARD_RIGHTS_WRITE | SECTION_MAP_WRITE,
                    STANDARD_RIGHTS_EXECUTE | SECTION_MAP_EXECUTE, SECTION_ALL_ACCESS },
    [K_MUTEX] = { STANDARD_RIGHTS_READ | MUTANT_QUERY_STATE, STANDARD_RIGHTS_WRITE, STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE,
                  MUTEX_ALL_ACCESS },
    [K_EVENT] = { STANDARD_RIGHTS_READ | EVENT_QUERY_STATE, STANDARD_RIGHTS_WRITE | EVENT_MODIFY_STATE,
                  STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, EVENT_ALL_ACCESS },
};

static const WCHAR *suffixes[] = { L"", L"@SharedRegion.Lock", L"@SharedRegion.Signal" };

static HANDLE open_by_name(enum object_kind kind, const WCHAR *name, DWORD access)
{
    WCHAR full[300];
    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls%ls", name, suffixes[kind]);
    switch (kind)
    {
    case K_SECTION: return OpenFileMappingW(access, FALSE, full);
    case K_MUTEX: return OpenMutexW(access, FALSE, full);
    default: return OpenEventW(access, FALSE, full);
    }
}

static PSID user_sid(void)
{
    static BYTE buf[256];
    HANDLE token;
    DWORD len;
    assert_true(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token));
    assert_true(GetTokenInformation(token, TokenUser, buf, sizeof(buf), &len));
    CloseHandle(token);
    return ((TOKEN_USER *)buf)->User.Sid;
}

/* "D:P(A;;GA;;;<the user's SID>)": only this user, full access; nothing inherited. */
static const WCHAR *owner_only_sddl(void)
{
    static WCHAR sddl[256];
    WCHAR *sid;
    assert_true(ConvertSidToStringSidW(user_sid(), &sid));
    swprintf(sddl, ARRAY_SIZE(sddl), L"D:P(A;;GA;;;%ls)", sid);
    LocalFree(sid);
    return sddl;
}

static BOOL ace_mask_was_mapped;

/* The DACL of the object, read through handle h: protected, exactly one ACE allowing `sid` all access
 * (compared after mapping generic rights, which Windows does when it stores the ACE and Wine does not). */
static void assert_owner_only_dacl(HANDLE h, enum object_kind kind, PSID sid, BOOL kernel_api)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    SECURITY_DESCRIPTOR_CONTROL control;
    ACCESS_ALLOWED_ACE *ace;
    BOOL present = FALSE, defaulted;
    DWORD revision, mask;
    PACL dacl = NULL;

    if (kernel_api)
    {
        DWORD len = 0;
        GetKernelObjectSecurity(h, DACL_SECURITY_INFORMATION, NULL, 0, &len);
        assert_true(len > 0);
        sd = LocalAlloc(LPTR, len);
        assert_true(GetKernelObjectSecurity(h, DACL_SECURITY_INFORMATION, sd, len, &len));
    }
    else
        assert_int_equal(GetSecurityInfo(h, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &dacl, NULL, &sd),
                         ERROR_SUCCESS);
    assert_true(GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted));
    assert_true(present);
    assert_non_null(dacl);
    assert_true(GetSecurityDescriptorControl(sd, &control, &revision));
    assert_true(control & SE_DACL_PROTECTED);
    assert_int_equal(dacl->AceCount, 1);
    assert_true(GetAce(dacl, 0, (void **)&ace));
    assert_int_equal(ace->Header.AceType, ACCESS_ALLOWED_ACE_TYPE);
    assert_true(EqualSid((PSID)&ace->SidStart, sid));
    mask = ace->Mask;
    if (mask != GENERIC_ALL) ace_mask_was_mapped = TRUE;
    MapGenericMask(&mask, (GENERIC_MAPPING *)&mappings[kind]);
    assert_int_equal(mask, mappings[kind].GenericAll);
    LocalFree(sd);
}

static HRESULT create_with_sddl(ISharedRegion *r, const WCHAR *name, double size, const WCHAR *sddl)
{
    BSTR b = SysAllocString(name);
    VARIANT v = sddl ? vstr(sddl) : missing();
    HRESULT hr = ISharedRegion_Create(r, b, size, v);
    VariantClear(&v);
    SysFreeString(b);
    return hr;
}

/* ---- squatting ---- */

static void test_create_refuses_a_name_someone_else_created(void **state)
{
    const WCHAR *name = unique_name(L"squat");
    WCHAR full[300];
    ISharedRegion *r = new_region();
    HANDLE squatter;
    BYTE *p;
    VARIANT_BOOL open;

    /* A program that never heard of COM holds the name, with data of its own. */
    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    squatter = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, full);
    assert_non_null(squatter);
    p = MapViewOfFile(squatter, FILE_MAP_WRITE, 0, 0, 0);
    memcpy(p, "mine", 4);

    assert_error(create_with_sddl(r, name, 65536, NULL), HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"Create");
    assert_non_null(wcsstr(last_description, name));
    assert_non_null(wcsstr(last_description, L"Create never opens an existing name"));
    assert_int_equal(ISharedRegion_get_IsOpen(r, &open), S_OK);
    assert_int_equal(open, VARIANT_FALSE);
    /* With an sddl too: the descriptor of an existing object cannot be chosen by a newcomer. */
    assert_error(create_with_sddl(r, name, 4096, owner_only_sddl()), HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"Create");
    assert_memory_equal(p, "mine", 4);

    UnmapViewOfFile(p);
    CloseHandle(squatter);
    /* Now that the squatter is gone the name is free again. */
    assert_int_equal(create_with_sddl(r, name, 4096, NULL), S_OK);
    ISharedRegion_Release(r);
}

static void test_create_refuses_a_name_whose_dacl_shuts_us_out(void **state)
{
    const WCHAR *name = unique_name(L"squatdacl");
    WCHAR full[300];
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    ISharedRegion *r = new_region();
    HANDLE squatter;

    /* An empty DACL: nobody (but the owner's implicit rights) may open it. */
    assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P", SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL));
    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    squatter = CreateFileMappingW(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 4096, full);
    assert_non_null(squatter);
    LocalFree(sa.lpSecurityDescriptor);

    /* The name exists: Create says so (no silent open, and no access check wording for a squat). */
    assert_error(create_with_sddl(r, name, 4096, NULL), HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"Create");
    assert_non_null(wcsstr(last_description, name));
    assert_non_null(wcsstr(last_description, L"its owner's security does not let this account use it"));
    assert_error(open_region(r, name, -1), HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), L"Open");
    CloseHandle(squatter);
    ISharedRegion_Release(r);
}

static void test_create_refuses_a_name_held_by_another_kind_of_object(void **state)
{
    const WCHAR *name = unique_name(L"squatkind");
    WCHAR full[300];
    ISharedRegion *r = new_region();
    HANDLE squatter;

    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    squatter = CreateEventW(NULL, TRUE, FALSE, full);
    assert_non_null(squatter);
    assert_error(create_with_sddl(r, name, 4096, NULL), HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"Create");
    assert_non_null(wcsstr(last_description, L"belongs to another kind of kernel object"));
    CloseHandle(squatter);
    ISharedRegion_Release(r);
}

/* With an sddl, Create claims the lock and signal names too, and refuses them when taken. */
static void test_create_with_sddl_refuses_squatted_lock_and_signal(void **state)
{
    unsigned int kind;

    for (kind = K_MUTEX; kind <= K_EVENT; kind++)
    {
        const WCHAR *name = unique_name(L"squatsync");
        WCHAR full[300];
        ISharedRegion *r = new_region();
        HANDLE squatter;

        swprintf(full, ARRAY_SIZE(full), L"Local\\%ls%ls", name, suffixes[kind]);
        squatter = kind == K_MUTEX ? CreateMutexW(NULL, TRUE, full) : CreateEventW(NULL, FALSE, FALSE, full);
        assert_non_null(squatter);
        assert_error(create_with_sddl(r, name, 4096, owner_only_sddl()), HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS),
                     L"Create");
        assert_non_null(wcsstr(last_description, kind == K_MUTEX ? L"lock mutex" : L"signal event"));
        assert_non_null(wcsstr(last_description, L"already exists"));
        /* Nothing of the failed Create is left: the section's name is free. */
        assert_false(section_exists(name));
        CloseHandle(squatter);
        assert_int_equal(create_with_sddl(r, name, 4096, owner_only_sddl()), S_OK);
        ISharedRegion_Release(r);
    }
}

/* OpenOrCreate is for programs that trust each other: it opens what is there, and says so. */
static void test_open_or_create_reports_that_it_did_not_create(void **state)
{
    const WCHAR *name = unique_name(L"ooc");
    WCHAR full[300];
    ISharedRegion *r = new_region();
    HANDLE other;
    BSTR b = SysAllocString(name);
    VARIANT_BOOL created = VARIANT_TRUE;

    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    other = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, full);
    assert_int_equal(ISharedRegion_OpenOrCreate(r, b, 4096, missing(), &created), S_OK);
    assert_int_equal(created, VARIANT_FALSE);
    assert_int_equal(ISharedRegion_get_Created(r, &created), S_OK);
    assert_int_equal(created, VARIANT_FALSE);
    SysFreeString(b);
    CloseHandle(other);
    ISharedRegion_Release(r);
}

/* ---- the security descriptor ---- */

static void test_sddl_applies_to_section_lock_and_signal(void **state)
{
    const WCHAR *name = unique_name(L"sddl");
    ISharedRegion *r = new_region();
    unsigned int kind;

    assert_int_equal(create_with_sddl(r, name, 65536, owner_only_sddl()), S_OK);
    /* Each object, opened by name by someone who asks only to read its security. */
    for (kind = K_SECTION; kind <= K_EVENT; kind++)
    {
        HANDLE h = open_by_name(kind, name, READ_CONTROL);
        if (!h) fail_msg("cannot open %ls%ls: %lu", name, suffixes[kind], GetLastError());
        assert_owner_only_dacl(h, kind, user_sid(), kind != K_SECTION);
        CloseHandle(h);
    }
    print_message("[  NOTE    ] the ACE's GENERIC_ALL was %s when the descriptor was applied\n",
                  ace_mask_was_mapped ? "mapped to the object's specific rights" : "stored as it was given (not mapped)");
    ISharedRegion_Release(r);
}

/* "D:P(A;;GR;;;<user>)": this user may only read. */
static const WCHAR *read_only_sddl(void)
{
    static WCHAR sddl[256];
    WCHAR *sid;
    assert_true(ConvertSidToStringSidW(user_sid(), &sid));
    swprintf(sddl, ARRAY_SIZE(sddl), L"D:P(A;;GR;;;%ls)", sid);
    LocalFree(sid);
    return sddl;
}

/* A descriptor that lets this user only read: the creator keeps full access through its own
 * handles; a second opener gets exactly what the DACL allows, for the section and the signal. */
static void test_sddl_limits_other_openers(void **state)
{
    const WCHAR *name = unique_name(L"readers");
    ISharedRegion *creator = new_region(), *reader = new_region();
    VARIANT_BOOL ok;
    LONG v = 0;

    assert_int_equal(create_with_sddl(creator, name, 4096, read_only_sddl()), S_OK);
    assert_int_equal(ISharedRegion_WriteInt32(creator, 0, 1234), S_OK);
    assert_int_equal(ISharedRegion_Lock(creator, 0, &ok), S_OK);
    assert_int_equal(ok, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_Unlock(creator), S_OK);

    assert_error(open_region(reader, name, RegionReadWrite), HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), L"Open");
    assert_int_equal(open_region(reader, name, RegionReadOnly), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(reader, 0, &v), S_OK);
    assert_int_equal(v, 1234);
    /* The signal's DACL is derived from the section's: a reader may wait for it, not set it. */
    assert_error(ISharedRegion_Signal(reader), HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), L"Signal");
    assert_non_null(wcsstr(last_description, L"signal event"));
    assert_int_equal(ISharedRegion_WaitSignal(reader, 0, &ok), S_OK);
    assert_int_equal(ok, VARIANT_FALSE);
    assert_int_equal(ISharedRegion_Signal(creator), S_OK);
    assert_int_equal(ISharedRegion_WaitSignal(reader, 5000, &ok), S_OK);
    assert_int_equal(ok, VARIANT_TRUE);
    ISharedRegion_Release(reader);
    ISharedRegion_Release(creator);
}

/* The same for the lock: a reader may not take it. */
static void test_sddl_limits_the_lock_too(void **state)
{
    const WCHAR *name = unique_name(L"lockers");
    ISharedRegion *creator = new_region(), *reader = new_region();
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    WCHAR probe_name[100];
    HANDLE probe, again;
    VARIANT_BOOL ok;

    /* Does this system enforce a mutex's DACL when the mutex is opened by name? */
    swprintf(probe_name, ARRAY_SIZE(probe_name), L"Local\\sr-test-mutexdacl-%lu", GetCurrentProcessId());
    assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorW(read_only_sddl(), SDDL_REVISION_1,
                                                                     &sa.lpSecurityDescriptor, NULL));
    probe = CreateMutexW(&sa, FALSE, probe_name);
    LocalFree(sa.lpSecurityDescriptor);
    assert_non_null(probe);
    again = OpenMutexW(MUTEX_ALL_ACCESS, FALSE, probe_name);
    if (again)
    {
        CloseHandle(again);
        CloseHandle(probe);
        ISharedRegion_Release(reader);
        ISharedRegion_Release(creator);
        print_message("[  SKIP    ] %s opens a named mutex with MUTEX_ALL_ACCESS although its DACL grants only "
                      "GENERIC_READ (the DACL of events and sections is enforced), so the lock's descriptor cannot "
                      "be seen refusing anyone here\n", wine_version() ? "Wine" : "this system");
        skip();
    }
    CloseHandle(probe);

    assert_int_equal(create_with_sddl(creator, name, 4096, read_only_sddl()), S_OK);
    assert_int_equal(ISharedRegion_Lock(creator, 0, &ok), S_OK);
    assert_int_equal(ISharedRegion_Unlock(creator), S_OK);
    assert_int_equal(open_region(reader, name, RegionReadOnly), S_OK);
    assert_error(ISharedRegion_Lock(reader, 0, &ok), HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), L"Lock");
    assert_non_null(wcsstr(last_description, L"lock mutex"));
    ISharedRegion_Release(reader);
    ISharedRegion_Release(creator);
}

static void test_malformed_sddl_is_invalid_arg(void **state)
{
    static const WCHAR *bad[] =
    {
        L"D:(A;;ZZ;;;WD)", L"D:P(A;;GA;;;NOSUCHSID)", L"D:P(A;;GA;;;S-1-5-)", L"not an sddl", L"D:P(A;;GA;;",
        L"D:P(X;;GA;;;WD)", L"D:P(A;;GA;;;WD",
    };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(bad); i++)
    {
        const WCHAR *name = unique_name(L"badsddl");
        ISharedRegion *r = new_region();
        VARIANT_BOOL created;
        BSTR b = SysAllocString(name);
        VARIANT v = vstr(bad[i]);

        if (create_with_sddl(r, name, 4096, bad[i]) != E_INVALIDARG)
            fail_msg("sddl '%ls' was not refused", bad[i]);
        assert_error_text(L"Create");
        assert_non_null(wcsstr(last_description, L"is not a valid security descriptor string"));
        assert_non_null(wcsstr(last_description, bad[i]));
        assert_error(ISharedRegion_OpenOrCreate(r, b, 4096, v, &created), E_INVALIDARG, L"OpenOrCreate");
        assert_disp_error(disp_method(r, L"Create", NULL, 3, vstr(name), vnum(4096), v), E_INVALIDARG, L"Create");
        assert_non_null(wcsstr(disp_description, L"sddl"));
        /* Nothing was created. */
        assert_false(section_exists(name));
        VariantClear(&v);
        SysFreeString(b);
        ISharedRegion_Release(r);
    }
}

/* "Only the owner", with the OWNER RIGHTS SID instead of a user's: the creator can open it again. */
static void test_owner_rights_sddl(void **state)
{
    static const WCHAR owner_only[] = L"D:P(A;;GA;;;OW)";
    const WCHAR *name = unique_name(L"ownerrights");
    ISharedRegion *r = new_region(), *again = new_region();
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    WCHAR probe_name[100];
    HANDLE probe, reopened;
    DWORD probe_error = 0;
    HRESULT hr;

    /* The control: does this system let the owner reopen a plain section (no SharedRegion code)
     * made with the same descriptor, for the same access as Open(RegionReadWrite)? */
    swprintf(probe_name, ARRAY_SIZE(probe_name), L"Local\\sr-test-ownerdacl-%lu", GetCurrentProcessId());
    assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorW(owner_only, SDDL_REVISION_1,
                                                                     &sa.lpSecurityDescriptor, NULL));
    probe = CreateFileMappingW(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 4096, probe_name);
    LocalFree(sa.lpSecurityDescriptor);
    assert_non_null(probe);
    reopened = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, probe_name);
    if (reopened)
        CloseHandle(reopened);
    else
        probe_error = GetLastError();
    CloseHandle(probe);

    assert_int_equal(create_with_sddl(r, name, 4096, owner_only), S_OK);
    hr = open_region(again, name, RegionReadWrite);
    ISharedRegion_Release(again);
    ISharedRegion_Release(r);
    if (hr == HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED) && probe_error == ERROR_ACCESS_DENIED)
    {
        print_message("[  SKIP    ] %s does not apply the OWNER RIGHTS SID (S-1-3-4, \"OW\"): a plain section made "
                      "with \"%ls\" is refused to its owner too (OpenFileMapping error %lu); use the owner's own SID "
                      "(\"D:P(A;;GA;;;<user SID>)\") there\n", wine_version() ? "Wine" : "this system",
                      owner_only, probe_error);
        skip();
    }
    if (hr != S_OK)
        fail_msg("Open of a region made with \"%ls\" returned %#lx, although this system %s a plain section made "
                 "with it to its owner (OpenFileMapping error %lu)", owner_only, (unsigned long)hr,
                 probe_error ? "refuses" : "reopens", probe_error);
    if (probe_error)
        printf("note: the plain-section probe was refused (error %lu) but Open was not\n", probe_error);
}

/* ---- what a handle was granted: the rights the server asked for ---- */

/* The access granted to this process's handles on the named object (kernel name "Local\\x"), OR-ed,
 * from NtQueryObject(ObjectBasicInformation); *count: how many handles. FALSE when the system does
 * not say (then the rights asked for cannot be checked here). */
static BOOL granted_access(const WCHAR *kernel_name, DWORD *access, unsigned int *count)
{
    static LONG (WINAPI *query)(HANDLE, ULONG, void *, ULONG, ULONG *);
    static USHORT handles[16384];
    const WCHAR *bare = wcschr(kernel_name, '\\') ? wcschr(kernel_name, '\\') + 1 : kernel_name;
    unsigned int n, i;

    *access = 0;
    *count = 0;
    if (!query) query = (void *)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQueryObject");
    if (!query || !(n = process_handles(handles, ARRAY_SIZE(handles)))) return FALSE;
    for (i = 0; i < n; i++)
    {
        BYTE name[2048];
        struct { ULONG attributes; ACCESS_MASK granted; ULONG rest[12]; } basic;
        sr_counted_string *nm = (sr_counted_string *)name;
        HANDLE h = (HANDLE)(ULONG_PTR)handles[i];
        size_t len = wcslen(bare);
        ULONG got;

        if (query(h, 1 /* ObjectNameInformation */, name, sizeof(name), &got) || !nm->Buffer) continue;
        if (nm->Length / 2 < len + 1 || wcsncmp(nm->Buffer + nm->Length / 2 - len, bare, len)
            || nm->Buffer[nm->Length / 2 - len - 1] != '\\')
            continue;
        if (query(h, 0 /* ObjectBasicInformation */, &basic, sizeof(basic), &got)) return FALSE;
        *access |= basic.granted;
        (*count)++;
    }
    return TRUE;
}

/* Does this system report what a handle was granted? (An event opened for SYNCHRONIZE alone.) */
static BOOL granted_access_is_reported(void)
{
    WCHAR name[100];
    HANDLE a, b;
    DWORD access;
    unsigned int count;
    BOOL ok;

    swprintf(name, ARRAY_SIZE(name), L"Local\\sr-test-granted-%lu", GetCurrentProcessId());
    a = CreateEventW(NULL, FALSE, FALSE, name);
    b = OpenEventW(SYNCHRONIZE, FALSE, name);
    CloseHandle(a);
    ok = granted_access(name, &access, &count) && count == 1 && access == SYNCHRONIZE;
    CloseHandle(b);
    return ok;
}

/* ---- OpenOrCreate opens as Open does ---- */

/* "D:P(A;;GRGW;;;<user>)": read and write, but not DELETE, WRITE_DAC or WRITE_OWNER. */
static const WCHAR *read_write_sddl(void)
{
    static WCHAR sddl[256];
    WCHAR *sid;
    assert_true(ConvertSidToStringSidW(user_sid(), &sid));
    swprintf(sddl, ARRAY_SIZE(sddl), L"D:P(A;;GRGW;;;%ls)", sid);
    LocalFree(sid);
    return sddl;
}

static void test_open_or_create_asks_only_for_the_rights_it_needs(void **state)
{
    const WCHAR *name = unique_name(L"oocrights");
    WCHAR full[300];
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    ISharedRegion *r = new_region();
    VARIANT_BOOL created = VARIANT_TRUE;
    HANDLE other;
    DWORD access;
    unsigned int count;
    BSTR b = SysAllocString(name);
    LONG v = 0;

    /* Another program's section, whose DACL grants read and write and nothing more. */
    assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorW(read_write_sddl(), SDDL_REVISION_1,
                                                                     &sa.lpSecurityDescriptor, NULL));
    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    other = CreateFileMappingW(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 4096, full);
    LocalFree(sa.lpSecurityDescriptor);
    assert_non_null(other);

    assert_int_equal(ISharedRegion_OpenOrCreate(r, b, 4096, missing(), &created), S_OK);
    assert_int_equal(created, VARIANT_FALSE);
    assert_int_equal(ISharedRegion_WriteInt32(r, 16, 77), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(r, 16, &v), S_OK);
    assert_int_equal(v, 77);
    /* Windows refuses a section handle with DELETE, WRITE_DAC or WRITE_OWNER against that DACL (what
     * CreateFileMapping over an existing name asks for); the handle must not have asked for them. */
    CloseHandle(other);
    if (!granted_access_is_reported())
    {
        print_message("[  SKIP    ] %s does not report a handle's granted access, so the rights asked for cannot be "
                      "checked\n", wine_version() ? "Wine" : "this system");
        ISharedRegion_Release(r);
        SysFreeString(b);
        skip();
    }
    assert_true(granted_access(full, &access, &count));
    assert_true(count >= 1);
    if (access & (DELETE | WRITE_DAC | WRITE_OWNER))
        fail_msg("the section was opened with access %#lx, which includes rights beyond read and write", access);
    assert_int_equal(access & (SECTION_MAP_READ | SECTION_MAP_WRITE), SECTION_MAP_READ | SECTION_MAP_WRITE);
    ISharedRegion_Release(r);
    SysFreeString(b);
}

/* ---- region names that would take another region's lock or signal ---- */

static void test_names_ending_in_lock_or_signal_suffix_are_refused(void **state)
{
    static const WCHAR *suffix[] = { L"@SharedRegion.Lock", L"@SharedRegion.Signal", L"@sharedregion.LOCK" };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(suffix); i++)
    {
        ISharedRegion *r = new_region(), *x;
        const WCHAR *base = unique_name(L"suffix");
        WCHAR name[200], path[MAX_PATH];
        VARIANT_BOOL created, ok = VARIANT_FALSE;
        BSTR b, p;

        swprintf(name, ARRAY_SIZE(name), L"%ls%ls", base, suffix[i]);
        b = SysAllocString(name);
        assert_error(ISharedRegion_Create(r, b, 4096, missing()), E_INVALIDARG, L"Create");
        assert_non_null(wcsstr(last_description, L"which is reserved for the lock and signal objects of regions"));
        assert_error(ISharedRegion_OpenOrCreate(r, b, 4096, missing(), &created), E_INVALIDARG, L"OpenOrCreate");
        assert_error(ISharedRegion_Open(r, b, missing()), E_INVALIDARG, L"Open");
        temp_path(path, ARRAY_SIZE(path), L"suffix");
        assert_true(write_file(path, 4096, FALSE));
        p = SysAllocString(path);
        assert_error(ISharedRegion_OpenFile(r, p, missing(), missing(), vstr(name)), E_INVALIDARG, L"OpenFile");
        assert_disp_error(disp_method(r, L"Create", NULL, 2, vstr(name), vnum(4096)), E_INVALIDARG, L"Create");
        assert_non_null(wcsstr(disp_description, L"is reserved"));
        assert_false(section_exists(name));
        /* The region x itself still locks (before, a section named "x@SharedRegion.Lock" broke it). */
        x = create_region(base, 4096);
        assert_int_equal(ISharedRegion_Lock(x, 0, &ok), S_OK);
        assert_int_equal(ok, VARIANT_TRUE);
        assert_int_equal(ISharedRegion_Unlock(x), S_OK);
        ISharedRegion_Release(x);
        DeleteFileW(path);
        SysFreeString(p);
        SysFreeString(b);
        ISharedRegion_Release(r);
    }
}

/* ---- Create claims the lock and signal names, with or without an sddl ---- */

static void test_create_claims_lock_and_signal_names_always(void **state)
{
    unsigned int kind, with_sddl;

    for (with_sddl = 0; with_sddl < 2; with_sddl++)
        for (kind = K_MUTEX; kind <= K_EVENT; kind++)
        {
            const WCHAR *name = unique_name(L"claim");
            WCHAR full[300];
            ISharedRegion *r = new_region();
            VARIANT_BOOL ok;
            HANDLE squatter;

            /* Someone pre-creates the lock or the signal of a region that does not exist yet. */
            swprintf(full, ARRAY_SIZE(full), L"Local\\%ls%ls", name, suffixes[kind]);
            squatter = kind == K_MUTEX ? CreateMutexW(NULL, TRUE, full) : CreateEventW(NULL, FALSE, TRUE, full);
            assert_non_null(squatter);
            assert_error(create_with_sddl(r, name, 4096, with_sddl ? owner_only_sddl() : NULL),
                         HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"Create");
            assert_non_null(wcsstr(last_description, kind == K_MUTEX ? L"lock mutex" : L"signal event"));
            assert_non_null(wcsstr(last_description, L"never adopts an existing lock or signal object"));
            /* The section was never made: nobody could Open it in between. */
            assert_false(section_exists(name));
            CloseHandle(squatter);
            assert_int_equal(create_with_sddl(r, name, 4096, with_sddl ? owner_only_sddl() : NULL), S_OK);
            /* The claimed objects are the region's own: free lock, no signal pending. */
            assert_int_equal(ISharedRegion_WaitSignal(r, 0, &ok), S_OK);
            assert_int_equal(ok, VARIANT_FALSE);
            assert_int_equal(ISharedRegion_Lock(r, 0, &ok), S_OK);
            assert_int_equal(ok, VARIANT_TRUE);
            assert_int_equal(ISharedRegion_Unlock(r), S_OK);
            ISharedRegion_Release(r);
        }
}

/* A region someone else has open is refused with the region's error, not the lock's. */
static void test_create_of_an_open_region_names_the_region(void **state)
{
    const WCHAR *name = unique_name(L"claimopen");
    ISharedRegion *first = create_region(name, 4096), *second = new_region();

    assert_error(create_with_sddl(second, name, 4096, NULL), HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"Create");
    assert_non_null(wcsstr(last_description, L"a region named"));
    assert_non_null(wcsstr(last_description, L"Create never opens an existing name"));
    ISharedRegion_Release(second);
    ISharedRegion_Release(first);
}

/* The DACL of the object behind h, for the tests below (LocalFree the result). */
static PSECURITY_DESCRIPTOR object_dacl(HANDLE h, PACL *dacl)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    BOOL present = FALSE, defaulted;
    DWORD len = 0;

    GetKernelObjectSecurity(h, DACL_SECURITY_INFORMATION, NULL, 0, &len);
    assert_true(len > 0);
    sd = LocalAlloc(LPTR, len);
    assert_true(GetKernelObjectSecurity(h, DACL_SECURITY_INFORMATION, sd, len, &len));
    assert_true(GetSecurityDescriptorDacl(sd, &present, dacl, &defaulted));
    if (!present) *dacl = NULL;
    return sd;
}

static void test_global_lock_and_signal_always_get_a_dacl(void **state)
{
    WCHAR name[100], full[160];
    ISharedRegion *r = new_region();
    unsigned int kind;
    HRESULT hr;

    swprintf(name, ARRAY_SIZE(name), L"Global\\sr-test-globaldacl-%lu", GetCurrentProcessId());
    hr = create_with_sddl(r, name, 4096, NULL);
    if (hr == HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED))
    {
        print_message("[  SKIP    ] no SeCreateGlobalPrivilege here: a Global\\ region cannot be created\n");
        ISharedRegion_Release(r);
        skip();
    }
    assert_int_equal(hr, S_OK);
    for (kind = K_MUTEX; kind <= K_EVENT; kind++)
    {
        PSECURITY_DESCRIPTOR sd;
        PACL dacl = NULL;
        HANDLE h;

        swprintf(full, ARRAY_SIZE(full), L"%ls%ls", name, suffixes[kind]);
        h = kind == K_MUTEX ? OpenMutexW(READ_CONTROL, FALSE, full) : OpenEventW(READ_CONTROL, FALSE, full);
        if (!h) fail_msg("cannot open %ls: %lu", full, GetLastError());
        sd = object_dacl(h, &dacl);
        /* Explicit, non-empty, and not "everyone": another session cannot take it. */
        assert_non_null(dacl);
        assert_true(dacl->AceCount >= 1);
        LocalFree(sd);
        CloseHandle(h);
    }
    ISharedRegion_Release(r);

    /* The same for a Global\ SignalName of a Local\ region that this process creates. */
    r = create_region(unique_name(L"globalsignal"), 4096);
    swprintf(full, ARRAY_SIZE(full), L"Global\\sr-test-globalsignal-%lu", GetCurrentProcessId());
    {
        BSTR b = SysAllocString(full);
        PSECURITY_DESCRIPTOR sd;
        PACL dacl = NULL;
        HANDLE h;

        assert_int_equal(ISharedRegion_put_SignalName(r, b), S_OK);
        SysFreeString(b);
        assert_int_equal(ISharedRegion_Signal(r), S_OK);
        h = OpenEventW(READ_CONTROL, FALSE, full);
        if (!h) fail_msg("cannot open %ls: %lu", full, GetLastError());
        sd = object_dacl(h, &dacl);
        assert_non_null(dacl);
        assert_true(dacl->AceCount >= 1);
        LocalFree(sd);
        CloseHandle(h);
    }
    ISharedRegion_Release(r);
}

/* ---- the derived DACL: each grantee gets the rights its section access needs ---- */

static DWORD only_ace_mask(HANDLE h)
{
    PSECURITY_DESCRIPTOR sd;
    ACCESS_ALLOWED_ACE *ace;
    PACL dacl = NULL;
    DWORD mask;

    sd = object_dacl(h, &dacl);
    assert_non_null(dacl);
    assert_int_equal(dacl->AceCount, 1);
    assert_true(GetAce(dacl, 0, (void **)&ace));
    assert_int_equal(ace->Header.AceType, ACCESS_ALLOWED_ACE_TYPE);
    assert_true(EqualSid((PSID)&ace->SidStart, user_sid()));
    mask = ace->Mask;
    LocalFree(sd);
    return mask;
}

static void test_derived_dacl_gives_each_grantee_what_it_needs(void **state)
{
    static const struct { const WCHAR *(*sddl)(void); DWORD mutex, event; } cases[] =
    {
        { read_only_sddl, SYNCHRONIZE | READ_CONTROL, SYNCHRONIZE | READ_CONTROL },
        { read_write_sddl, SYNCHRONIZE | READ_CONTROL | MUTANT_QUERY_STATE,
          SYNCHRONIZE | READ_CONTROL | EVENT_MODIFY_STATE | EVENT_QUERY_STATE },
        { owner_only_sddl, MUTEX_ALL_ACCESS, EVENT_ALL_ACCESS },
    };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(cases); i++)
    {
        const WCHAR *name = unique_name(L"derived");
        ISharedRegion *creator = new_region(), *peer = new_region();
        VARIANT_BOOL ok;
        HANDLE h;

        assert_int_equal(create_with_sddl(creator, name, 4096, cases[i].sddl()), S_OK);
        h = open_by_name(K_MUTEX, name, READ_CONTROL);
        assert_non_null(h);
        assert_int_equal(only_ace_mask(h), cases[i].mutex);
        CloseHandle(h);
        h = open_by_name(K_EVENT, name, READ_CONTROL);
        assert_non_null(h);
        assert_int_equal(only_ace_mask(h), cases[i].event);
        CloseHandle(h);
        /* A peer with the section access the DACL grants: a reader waits, a writer also signals. */
        assert_int_equal(open_region(peer, name, i ? RegionReadWrite : RegionReadOnly), S_OK);
        assert_int_equal(ISharedRegion_WaitSignal(peer, 0, &ok), S_OK);
        assert_int_equal(ok, VARIANT_FALSE);
        if (i)
        {
            assert_int_equal(ISharedRegion_Signal(peer), S_OK);
            assert_int_equal(ISharedRegion_WaitSignal(creator, 5000, &ok), S_OK);
            assert_int_equal(ok, VARIANT_TRUE);
            assert_int_equal(ISharedRegion_Lock(peer, 1000, &ok), S_OK);
            assert_int_equal(ok, VARIANT_TRUE);
            assert_int_equal(ISharedRegion_Unlock(peer), S_OK);
        }
        else
            assert_error(ISharedRegion_Signal(peer), HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), L"Signal");
        ISharedRegion_Release(peer);
        ISharedRegion_Release(creator);
    }
}

/* A deny ACE takes away only what the denied access stands for; owner, group and a NULL DACL carry
 * over. (Wine does not enforce mutex and event DACLs, so the descriptors are read back.) */
static void test_derived_dacl_deny_aces_group_and_null_dacl(void **state)
{
    static const struct { const WCHAR *deny; DWORD mutex, event; } cases[] =
    {
        /* "readers may not write": a reader must still wait (GW includes READ_CONTROL) */
        { L"GW", READ_CONTROL | MUTEX_MODIFY_STATE, READ_CONTROL | EVENT_MODIFY_STATE },
        { L"GR", SYNCHRONIZE | READ_CONTROL, SYNCHRONIZE | READ_CONTROL },
        { L"GA", MUTEX_ALL_ACCESS, EVENT_ALL_ACCESS },
    };
    WCHAR sddl[300], *sid;
    unsigned int i, kind;

    assert_true(ConvertSidToStringSidW(user_sid(), &sid));
    for (i = 0; i < ARRAY_SIZE(cases); i++)
    {
        const WCHAR *name = unique_name(L"denyace");
        ISharedRegion *creator = new_region();

        swprintf(sddl, ARRAY_SIZE(sddl), L"G:BUD:P(D;;%ls;;;AN)(A;;GA;;;%ls)", cases[i].deny, sid);
        assert_int_equal(create_with_sddl(creator, name, 4096, sddl), S_OK);
        for (kind = 0; kind < 2; kind++)
        {
            HANDLE h = open_by_name(kind ? K_EVENT : K_MUTEX, name, READ_CONTROL);
            PSECURITY_DESCRIPTOR sd = NULL;
            ACCESS_ALLOWED_ACE *ace;
            BOOL present = FALSE, defaulted;
            PSID group = NULL;
            PACL dacl = NULL;
            DWORD len = 0;

            assert_non_null(h);
            GetKernelObjectSecurity(h, DACL_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION, NULL, 0, &len);
            assert_true(len > 0);
            sd = LocalAlloc(LPTR, len);
            assert_true(GetKernelObjectSecurity(h, DACL_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION, sd, len, &len));
            assert_true(GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted));
            assert_true(present && dacl);
            assert_int_equal(dacl->AceCount, 2);
            assert_true(GetAce(dacl, 0, (void **)&ace));
            assert_int_equal(ace->Header.AceType, ACCESS_DENIED_ACE_TYPE);
            assert_int_equal(ace->Mask, kind ? cases[i].event : cases[i].mutex);
            assert_true(GetAce(dacl, 1, (void **)&ace));
            assert_int_equal(ace->Header.AceType, ACCESS_ALLOWED_ACE_TYPE);
            assert_int_equal(ace->Mask, kind ? EVENT_ALL_ACCESS : MUTEX_ALL_ACCESS);
            /* The section's group, not the token's primary group. */
            assert_true(GetSecurityDescriptorGroup(sd, &group, &defaulted));
            assert_non_null(group);
            {
                BYTE buf[SECURITY_MAX_SID_SIZE];
                DWORD n = sizeof(buf);
                assert_true(CreateWellKnownSid(WinBuiltinUsersSid, NULL, buf, &n));
                assert_true(EqualSid(group, buf));
            }
            LocalFree(sd);
            CloseHandle(h);
        }
        ISharedRegion_Release(creator);
    }
    LocalFree(sid);

    /* "D:NO_ACCESS_CONTROL": the section is open to everyone, and so are its lock and signal (before,
     * they got the token's default DACL: peers the section lets in could not Lock or Signal). Wine's
     * ConvertStringSecurityDescriptorToSecurityDescriptorW makes an empty DACL of it, where Windows
     * makes a NULL DACL: the objects must have what the section has, whichever it is. */
    {
        const WCHAR *name = unique_name(L"nulldacl");
        ISharedRegion *creator = new_region();
        PSECURITY_DESCRIPTOR sd, section_sd;
        PACL dacl, section_dacl;
        HANDLE h;

        assert_int_equal(create_with_sddl(creator, name, 4096, L"D:NO_ACCESS_CONTROL"), S_OK);
        assert_non_null(h = open_by_name(K_SECTION, name, READ_CONTROL));
        section_sd = object_dacl(h, &section_dacl);
        CloseHandle(h);
        if (section_dacl) print_message("[ NOTE     ] this system turned D:NO_ACCESS_CONTROL into a DACL of %u ACEs\n",
                                        section_dacl->AceCount);
        for (kind = 0; kind < 2; kind++)
        {
            assert_non_null(h = open_by_name(kind ? K_EVENT : K_MUTEX, name, READ_CONTROL));
            sd = object_dacl(h, &dacl);
            if (!section_dacl) assert_null(dacl);
            else
            {
                assert_non_null(dacl);
                assert_int_equal(dacl->AceCount, section_dacl->AceCount);
            }
            LocalFree(sd);
            CloseHandle(h);
        }
        LocalFree(section_sd);
        ISharedRegion_Release(creator);
    }
}

/* ---- foreign lock and signal objects ---- */

static HRESULT disp_put_string(void *obj, const WCHAR *name, const WCHAR *value)
{
    IDispatch *d = obj;
    DISPID id, put = DISPID_PROPERTYPUT;
    VARIANT arg = vstr(value);
    DISPPARAMS dp = { &arg, &put, 1, 1 };
    LPOLESTR n = (LPOLESTR)name;
    EXCEPINFO ei;
    UINT argerr = 0;
    HRESULT hr;

    disp_description[0] = 0;
    if (FAILED(hr = IDispatch_GetIDsOfNames(d, &IID_NULL, &n, 1, LOCALE_USER_DEFAULT, &id))) return hr;
    memset(&ei, 0, sizeof(ei));
    hr = IDispatch_Invoke(d, id, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_PROPERTYPUT, &dp, NULL, &ei, &argerr);
    if (hr == DISP_E_EXCEPTION)
    {
        if (ei.bstrDescription) lstrcpynW(disp_description, ei.bstrDescription, ARRAY_SIZE(disp_description));
        hr = ei.scode;
        SysFreeString(ei.bstrDescription);
        SysFreeString(ei.bstrSource);
        SysFreeString(ei.bstrHelpFile);
    }
    VariantClear(&arg);
    return hr;
}

/* Another program's event whose DACL lets this account only wait (as HWiNFO's or iRacing's). */
static void test_foreign_event_that_grants_only_synchronize(void **state)
{
    const WCHAR *name = unique_name(L"fev");
    WCHAR full[300], sddl[256], *sid;
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    ISharedRegion *r = create_region(unique_name(L"fevregion"), 4096);
    VARIANT_BOOL ok;
    HANDLE event, probe;
    DWORD access;
    unsigned int count;
    BOOL enforced;
    BSTR b;

    assert_true(ConvertSidToStringSidW(user_sid(), &sid));
    swprintf(sddl, ARRAY_SIZE(sddl), L"D:P(A;;0x00100000;;;%ls)", sid); /* SYNCHRONIZE only */
    LocalFree(sid);
    assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL));
    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    event = CreateEventW(&sa, FALSE, FALSE, full);
    LocalFree(sa.lpSecurityDescriptor);
    assert_non_null(event);
    /* Does this system enforce the event's DACL (refuse EVENT_MODIFY_STATE)? */
    probe = OpenEventW(EVENT_MODIFY_STATE, FALSE, full);
    enforced = !probe;
    if (probe) CloseHandle(probe);

    assert_int_equal(ISharedRegion_put_SignalName(r, (b = SysAllocString(name))), S_OK);
    SysFreeString(b);
    assert_int_equal(ISharedRegion_get_SignalName(r, &b), S_OK);
    assert_wstr_equal(b, full);
    SysFreeString(b);
    assert_int_equal(ISharedRegion_WaitSignal(r, 0, &ok), S_OK);
    assert_int_equal(ok, VARIANT_FALSE);
    assert_true(SetEvent(event)); /* the publisher says "data ready" */
    assert_int_equal(ISharedRegion_WaitSignal(r, 5000, &ok), S_OK);
    assert_int_equal(ok, VARIANT_TRUE);
    /* The handle the region holds was opened for SYNCHRONIZE and nothing else. */
    CloseHandle(event);
    if (granted_access_is_reported())
    {
        assert_true(granted_access(full, &access, &count));
        assert_int_equal(count, 1);
        assert_int_equal(access, SYNCHRONIZE);
    }
    else
        print_message("[  NOTE    ] the handle's granted access is not reported here; not checked\n");
    if (enforced)
    {
        assert_error(ISharedRegion_Signal(r), HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), L"Signal");
        assert_non_null(wcsstr(last_description, full));
    }
    else
        print_message("[  NOTE    ] %s grants EVENT_MODIFY_STATE against a SYNCHRONIZE-only DACL: Signal's refusal "
                      "cannot be seen here (Windows refuses it with E_ACCESSDENIED)\n", wine_version() ? "Wine" : "this system");
    ISharedRegion_Release(r);
}

/* A publisher whose DACL grants only the map rights (no SECTION_QUERY): Open still opens it, and
 * measures it by mapping, since the size cannot be asked for. */
static void test_open_a_section_that_grants_only_map_rights(void **state)
{
    const WCHAR *name = unique_name(L"maponly");
    WCHAR full[300], sddl[256], *sid;
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    ISharedRegion *r = new_region();
    HANDLE section, probe;
    BYTE *view;
    double size;
    BYTE b;

    assert_true(ConvertSidToStringSidW(user_sid(), &sid));
    swprintf(sddl, ARRAY_SIZE(sddl), L"D:P(A;;0x6;;;%ls)", sid); /* SECTION_MAP_WRITE | SECTION_MAP_READ */
    LocalFree(sid);
    assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL));
    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    section = CreateFileMappingW(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 65536, full);
    LocalFree(sa.lpSecurityDescriptor);
    assert_non_null(section);
    assert_non_null(view = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0));
    view[65535] = 0x5a;
    /* The refusal that this test is about: asking for SECTION_QUERY too. */
    probe = OpenFileMappingW(FILE_MAP_READ | SECTION_QUERY, FALSE, full);
    if (probe)
    {
        CloseHandle(probe);
        print_message("[  NOTE    ] %s grants SECTION_QUERY against a DACL that grants only the map rights "
                      "(Windows refuses it); the fallback is not reached here\n", wine_version() ? "Wine" : "this system");
    }
    else
        assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    assert_int_equal(open_region(r, name, RegionReadOnly), S_OK);
    assert_int_equal(ISharedRegion_get_Size(r, &size), S_OK);
    assert_true(size == 65536.0);
    assert_int_equal(ISharedRegion_ReadByte(r, 65535, &b), S_OK);
    assert_int_equal(b, 0x5a);
    ISharedRegion_Release(r);
    UnmapViewOfFile(view);
    CloseHandle(section);
}

/* Another program's mutex: Lock takes it, opened for SYNCHRONIZE | MUTEX_MODIFY_STATE only. */
static void test_foreign_mutex_through_lock_name(void **state)
{
    const WCHAR *name = unique_name(L"fmx");
    WCHAR full[300];
    ISharedRegion *r = create_region(unique_name(L"fmxregion"), 4096);
    VARIANT_BOOL ok;
    HANDLE mutex;
    DWORD access;
    unsigned int count;

    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    mutex = CreateMutexW(NULL, FALSE, full);
    assert_non_null(mutex);
    assert_int_equal(disp_put_string(r, L"LockName", full), S_OK);
    assert_int_equal(ISharedRegion_Lock(r, 1000, &ok), S_OK);
    assert_int_equal(ok, VARIANT_TRUE);
    /* The publisher's own handle sees it taken (another thread than the region's keeper owns it). */
    assert_int_equal(WaitForSingleObject(mutex, 0), WAIT_TIMEOUT);
    if (granted_access_is_reported())
    {
        CloseHandle(mutex);
        assert_true(granted_access(full, &access, &count));
        assert_int_equal(count, 1);
        assert_int_equal(access, SYNCHRONIZE | MUTEX_MODIFY_STATE);
        mutex = OpenMutexW(SYNCHRONIZE, FALSE, full);
    }
    assert_int_equal(ISharedRegion_Unlock(r), S_OK);
    assert_int_equal(WaitForSingleObject(mutex, 0), WAIT_OBJECT_0);
    ReleaseMutex(mutex);
    CloseHandle(mutex);
    ISharedRegion_Release(r);
}

static void test_lock_and_signal_name_rules(void **state)
{
    const WCHAR *name = unique_name(L"names");
    WCHAR expect[300];
    ISharedRegion *r = new_region(), *anon;
    VARIANT_BOOL ok;
    VARIANT v;
    BSTR b;
    HANDLE h;

    /* Closed: reading gives "", setting says why. */
    assert_int_equal(ISharedRegion_get_LockName(r, &b), S_OK);
    assert_wstr_equal(b, L"");
    SysFreeString(b);
    assert_error(ISharedRegion_put_LockName(r, (b = SysAllocString(L"x"))), SR_E_NOTOPEN, L"LockName");
    SysFreeString(b);
    assert_non_null(wcsstr(last_description, L"the region is not open"));
    assert_disp_error(disp_put_string(r, L"SignalName", L"x"), SR_E_NOTOPEN, L"SignalName");

    /* Open: the derived names. */
    assert_int_equal(create_with_sddl(r, name, 4096, NULL), S_OK);
    swprintf(expect, ARRAY_SIZE(expect), L"Local\\%ls@SharedRegion.Lock", name);
    assert_int_equal(ISharedRegion_get_LockName(r, &b), S_OK);
    assert_wstr_equal(b, expect);
    SysFreeString(b);
    swprintf(expect, ARRAY_SIZE(expect), L"Local\\%ls@SharedRegion.Signal", name);
    assert_int_equal(disp_get(r, L"SignalName", &v), S_OK);
    assert_int_equal(V_VT(&v), VT_BSTR);
    assert_wstr_equal(V_BSTR(&v), expect);
    VariantClear(&v);

    /* The region name rules. */
    assert_error(ISharedRegion_put_LockName(r, (b = SysAllocString(L"a\\b"))), E_INVALIDARG, L"LockName");
    SysFreeString(b);
    assert_non_null(wcsstr(last_description, L"contains a backslash"));
    assert_error(ISharedRegion_put_SignalName(r, (b = SysAllocString(L""))), E_INVALIDARG, L"SignalName");
    SysFreeString(b);
    assert_disp_error(disp_put_string(r, L"LockName", L"Global\\"), E_INVALIDARG, L"LockName");

    /* A missing one is created; after first use the name is fixed. */
    swprintf(expect, ARRAY_SIZE(expect), L"Local\\%ls-newevent", name);
    assert_int_equal(disp_put_string(r, L"SignalName", expect + 6), S_OK);
    assert_int_equal(ISharedRegion_Signal(r), S_OK);
    h = OpenEventW(SYNCHRONIZE, FALSE, expect);
    assert_non_null(h);
    assert_int_equal(WaitForSingleObject(h, 0), WAIT_OBJECT_0); /* the Signal went to it */
    CloseHandle(h);
    assert_error(ISharedRegion_put_SignalName(r, (b = SysAllocString(L"other"))), HRESULT_FROM_WIN32(ERROR_BUSY),
                 L"SignalName");
    SysFreeString(b);
    assert_non_null(wcsstr(last_description, L"already in use"));
    assert_int_equal(ISharedRegion_Lock(r, 0, &ok), S_OK);
    assert_int_equal(ISharedRegion_Unlock(r), S_OK);
    assert_disp_error(disp_put_string(r, L"LockName", L"other"), HRESULT_FROM_WIN32(ERROR_BUSY), L"LockName");
    ISharedRegion_Release(r);

    /* An anonymous region's are private (""), and can be named. */
    anon = create_region(L"", 4096);
    assert_int_equal(ISharedRegion_get_SignalName(anon, &b), S_OK);
    assert_wstr_equal(b, L"");
    SysFreeString(b);
    assert_int_equal(ISharedRegion_Signal(anon), S_OK);
    assert_int_equal(ISharedRegion_WaitSignal(anon, 0, &ok), S_OK);
    assert_int_equal(ok, VARIANT_TRUE);
    ISharedRegion_Release(anon);
}

/* ---- files ---- */

/* A named OpenFile or CreateFile makes a new region as Create does: it claims the lock and signal
 * names first, and refuses names another program already holds (before, it adopted them). The
 * file CreateFile made is removed again. */
static void test_named_file_regions_claim_lock_and_signal_names(void **state)
{
    static const WCHAR *const suffix[] = { L"@SharedRegion.Lock", L"@SharedRegion.Signal" };
    WCHAR path[MAX_PATH], kname[128];
    unsigned int i;

    temp_path(path, ARRAY_SIZE(path), L"claimfile");
    for (i = 0; i < 2; i++)
    {
        const WCHAR *name = unique_name(L"fileclaim");
        ISharedRegion *r = new_region();
        HANDLE squat;
        BSTR p, n;
        VARIANT vn;

        swprintf(kname, ARRAY_SIZE(kname), L"Local\\%ls%ls", name, suffix[i]);
        squat = i ? CreateEventW(NULL, FALSE, FALSE, kname) : CreateMutexW(NULL, FALSE, kname);
        assert_non_null(squat);
        DeleteFileW(path);
        p = SysAllocString(path);
        n = SysAllocString(name);
        V_VT(&vn) = VT_BSTR;
        V_BSTR(&vn) = n;
        assert_error(ISharedRegion_CreateFile(r, p, 4096, vn), HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"CreateFile");
        assert_non_null(wcsstr(last_description, suffix[i]));
        assert_int_equal(GetFileAttributesW(path), INVALID_FILE_ATTRIBUTES); /* nothing left behind */
        assert_disp_error(disp_method(r, L"CreateFile", NULL, 3, vstr(path), vnum(4096), vstr(name)),
                          HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"CreateFile");
        assert_int_equal(GetFileAttributesW(path), INVALID_FILE_ATTRIBUTES);
        /* OpenFile of an existing file under the same name: refused the same way, the file kept. */
        assert_true(write_file(path, 4096, FALSE));
        assert_disp_error(disp_method(r, L"OpenFile", NULL, 4, vstr(path), vnum(0), vnum(RegionReadWrite), vstr(name)),
                          HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"OpenFile");
        assert_true(GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES);
        CloseHandle(squat);
        /* With the name free, the same call works and holds its own objects. */
        assert_int_equal(disp_method(r, L"OpenFile", NULL, 4, vstr(path), vnum(0), vnum(RegionReadWrite), vstr(name)), S_OK);
        assert_non_null(squat = open_by_name(i ? K_EVENT : K_MUTEX, name, SYNCHRONIZE));
        CloseHandle(squat);
        ISharedRegion_Release(r);
        SysFreeString(p);
        SysFreeString(n);
        DeleteFileW(path);
    }
}

static void test_create_file_makes_a_new_zero_filled_file(void **state)
{
    WCHAR path[MAX_PATH];
    ISharedRegion *r = new_region(), *again = new_region();
    VARIANT_BOOL created;
    double size;
    BSTR p, fp;
    VARIANT v;
    BYTE zeros[64] = { 0 };
    HANDLE f;
    LARGE_INTEGER len;

    temp_path(path, ARRAY_SIZE(path), L"createfile");
    DeleteFileW(path);
    p = SysAllocString(path);
    assert_int_equal(ISharedRegion_CreateFile(r, p, 100000, missing()), S_OK);
    assert_int_equal(ISharedRegion_get_Size(r, &size), S_OK);
    assert_true(size == 100000);
    assert_int_equal(ISharedRegion_get_Created(r, &created), S_OK);
    assert_int_equal(created, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_get_FilePath(r, &fp), S_OK);
    assert_wstr_equal(fp, path);
    SysFreeString(fp);
    read_expect(r, 99936, zeros, 64);
    assert_int_equal(ISharedRegion_WriteInt32(r, 0, 0x12345678), S_OK);
    assert_int_equal(ISharedRegion_Flush(r, missing(), missing()), S_OK);
    ISharedRegion_Close(r);
    f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(f != INVALID_HANDLE_VALUE);
    assert_true(GetFileSizeEx(f, &len));
    assert_int_equal(len.QuadPart, 100000);
    CloseHandle(f);

    /* It exists now: CreateFile refuses it (vtable and IDispatch), as Create refuses a name. */
    assert_error(ISharedRegion_CreateFile(again, p, 4096, missing()), HRESULT_FROM_WIN32(ERROR_FILE_EXISTS), L"CreateFile");
    assert_non_null(wcsstr(last_description, L"already exists"));
    assert_disp_error(disp_method(again, L"CreateFile", NULL, 2, vstr(path), vnum(4096)),
                      HRESULT_FROM_WIN32(ERROR_FILE_EXISTS), L"CreateFile");
    assert_error(ISharedRegion_CreateFile(again, p, 0, missing()), E_INVALIDARG, L"CreateFile");
    DeleteFileW(path);
    /* Through IDispatch, with a shared name. */
    assert_int_equal(disp_method(again, L"CreateFile", &v, 3, vstr(path), vnum(8192), vstr(unique_name(L"cfname"))), S_OK);
    assert_int_equal(ISharedRegion_get_Size(again, &size), S_OK);
    assert_true(size == 8192);
    ISharedRegion_Release(again);
    ISharedRegion_Release(r);
    DeleteFileW(path);
    SysFreeString(p);
}

static DWORD WINAPI pipe_server(void *arg)
{
    HANDLE pipe = arg;
    ConnectNamedPipe(pipe, NULL);
    return 0;
}

/* A pipe is not a file: OpenFile refuses it (and never lets its server impersonate the caller). */
static void test_open_file_refuses_what_is_not_a_disk_file(void **state)
{
    WCHAR path[100];
    ISharedRegion *r = new_region();
    HANDLE pipe, t;
    BSTR p;

    swprintf(path, ARRAY_SIZE(path), L"\\\\.\\pipe\\sr-test-pipe-%lu", GetCurrentProcessId());
    pipe = CreateNamedPipeW(path, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 4096, 4096, 0, NULL);
    assert_true(pipe != INVALID_HANDLE_VALUE);
    t = CreateThread(NULL, 0, pipe_server, pipe, 0, NULL);
    p = SysAllocString(path);
    assert_error(ISharedRegion_OpenFile(r, p, vnum(4096), missing(), missing()), E_INVALIDARG, L"OpenFile");
    assert_non_null(wcsstr(last_description, L"is not a disk file (it is a pipe)"));
    SysFreeString(p);
    WaitForSingleObject(t, 5000);
    CloseHandle(t);
    CloseHandle(pipe);
    ISharedRegion_Release(r);
}

static void test_open_file_long_and_relative_paths(void **state)
{
    WCHAR dir[MAX_PATH], deep[1200], file[1300], cwd[MAX_PATH * 4];
    ISharedRegion *r = new_region();
    unsigned int i;
    BSTR p, fp;
    LONG v = 0;

    /* A path of more than MAX_PATH characters. */
    GetTempPathW(ARRAY_SIZE(dir), dir);
    swprintf(deep, ARRAY_SIZE(deep), L"\\\\?\\%lssr-test-long-%lu", dir, GetCurrentProcessId());
    CreateDirectoryW(deep, NULL);
    for (i = 0; i < 4; i++)
    {
        wcscat(deep, L"\\");
        wcscat(deep, L"a-directory-name-of-sixty-characters-for-a-long-path-test-xx");
        CreateDirectoryW(deep, NULL);
    }
    swprintf(file, ARRAY_SIZE(file), L"%ls\\data.bin", deep + 4);
    assert_true(wcslen(file) > MAX_PATH);
    {
        WCHAR prefixed[1300];
        swprintf(prefixed, ARRAY_SIZE(prefixed), L"\\\\?\\%ls", file);
        assert_true(write_file(prefixed, 4096, FALSE));
    }
    p = SysAllocString(file);
    assert_int_equal(ISharedRegion_OpenFile(r, p, missing(), missing(), missing()), S_OK);
    assert_int_equal(ISharedRegion_get_FilePath(r, &fp), S_OK);
    assert_wstr_equal(fp, file);
    SysFreeString(fp);
    assert_int_equal(ISharedRegion_WriteInt32(r, 8, 4242), S_OK);
    ISharedRegion_Close(r);
    SysFreeString(p);

    /* A relative path resolves against the process's current directory. */
    GetCurrentDirectoryW(ARRAY_SIZE(cwd), cwd);
    assert_true(SetCurrentDirectoryW(deep));
    p = SysAllocString(L"data.bin");
    assert_int_equal(ISharedRegion_OpenFile(r, p, missing(), missing(), missing()), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(r, 8, &v), S_OK);
    assert_int_equal(v, 4242);
    assert_int_equal(ISharedRegion_get_FilePath(r, &fp), S_OK);
    assert_wstr_equal(fp, file);
    SysFreeString(fp);
    SysFreeString(p);
    ISharedRegion_Release(r);
    SetCurrentDirectoryW(cwd);
    {
        WCHAR prefixed[1300];
        swprintf(prefixed, ARRAY_SIZE(prefixed), L"\\\\?\\%ls", file);
        DeleteFileW(prefixed);
        for (i = 0; i < 5; i++)
        {
            RemoveDirectoryW(deep);
            *wcsrchr(deep, '\\') = 0;
        }
    }
}

/* Flush(offset, 0) means "to the end", as MapView's size 0 and FlushViewOfFile's count 0 do. */
static void test_flush_count_zero_means_to_the_end(void **state)
{
    WCHAR path[MAX_PATH];
    ISharedRegion *r = new_region();
    ISharedView *view;
    BSTR p;

    temp_path(path, ARRAY_SIZE(path), L"flushzero");
    DeleteFileW(path);
    p = SysAllocString(path);
    assert_int_equal(ISharedRegion_CreateFile(r, p, 65536, missing()), S_OK);
    assert_int_equal(ISharedRegion_WriteInt32(r, 60000, 7), S_OK);
    assert_int_equal(ISharedRegion_Flush(r, vnum(4096), vnum(0)), S_OK);
    assert_int_equal(ISharedRegion_Flush(r, vnum(65536), vnum(0)), S_OK); /* nothing left: nothing to do */
    assert_error(ISharedRegion_Flush(r, vnum(65537), vnum(0)), E_INVALIDARG, L"Flush");
    assert_non_null(wcsstr(last_description, L"past the end"));
    assert_int_equal(disp_method(r, L"Flush", NULL, 2, vnum(100), vnum(0)), S_OK);
    assert_int_equal(ISharedRegion_MapView(r, 4096, 0, missing(), &view), S_OK);
    assert_int_equal(ISharedView_Flush(view, vnum(10), vnum(0)), S_OK);
    assert_error(ISharedView_Flush(view, vnum(61441), vnum(0)), E_INVALIDARG, L"Flush");
    ISharedView_Release(view);
    ISharedRegion_Release(r);
    DeleteFileW(path);
    SysFreeString(p);
}

/* GetAddress sets error information, and says so through ISupportErrorInfo. */
static void test_view_memory_supports_error_info(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    ISupportErrorInfo *sei;
    ISharedViewMemory *mem;
    ISharedView *view;
    void *address;
    SIZE_T size;

    assert_int_equal(ISharedRegion_MapView(r, 0, 0, missing(), &view), S_OK);
    assert_int_equal(ISharedView_QueryInterface(view, &IID_ISupportErrorInfo, (void **)&sei), S_OK);
    assert_int_equal(ISupportErrorInfo_InterfaceSupportsErrorInfo(sei, &IID_ISharedViewMemory), S_OK);
    assert_int_equal(ISupportErrorInfo_InterfaceSupportsErrorInfo(sei, &IID_ISharedView), S_OK);
    assert_int_equal(ISupportErrorInfo_InterfaceSupportsErrorInfo(sei, &IID_IDispatch), S_FALSE);
    assert_int_equal(ISharedView_QueryInterface(view, &IID_ISharedViewMemory, (void **)&mem), S_OK);
    assert_int_equal(ISharedView_Unmap(view), S_OK);
    assert_error(ISharedViewMemory_GetAddress(mem, &address, &size), SR_E_NOTMAPPED, L"GetAddress");
    ISharedViewMemory_Release(mem);
    ISupportErrorInfo_Release(sei);
    ISharedView_Release(view);
    ISharedRegion_Release(r);
}

/* An install path longer than MAX_PATH: the type library (IDispatch) still loads from it. */
static void test_long_install_path(void **state)
{
    WCHAR self[MAX_PATH], dll[MAX_PATH], deep[1200], target[1300];
    HRESULT (WINAPI *get_class)(REFCLSID, REFIID, void **);
    HRESULT (WINAPI *can_unload)(void);
    IClassFactory *cf;
    ISharedRegion *r;
    HMODULE m;
    DISPID id;
    LPOLESTR n = (LPOLESTR)L"Size";
    unsigned int i;

    /* The DLL of this build, found from the test's own directory (..\sharedregion.dll). */
    GetModuleFileNameW(NULL, self, ARRAY_SIZE(self));
    *wcsrchr(self, '\\') = 0;
    swprintf(dll, ARRAY_SIZE(dll), L"%ls\\..\\sharedregion.dll", self);
    GetTempPathW(ARRAY_SIZE(self), self);
    swprintf(deep, ARRAY_SIZE(deep), L"\\\\?\\%lssr-test-install-%lu", self, GetCurrentProcessId());
    CreateDirectoryW(deep, NULL);
    for (i = 0; i < 4; i++)
    {
        wcscat(deep, L"\\an-install-directory-name-of-sixty-characters-long-enough-x");
        CreateDirectoryW(deep, NULL);
    }
    swprintf(target, ARRAY_SIZE(target), L"%ls\\sharedregion.dll", deep);
    assert_true(wcslen(target) - 4 > MAX_PATH);
    if (!CopyFileW(dll, target, FALSE)) fail_msg("cannot copy %ls: %lu", dll, GetLastError());
    m = LoadLibraryW(target);
    if (!m) fail_msg("cannot load %ls: %lu", target, GetLastError());
    get_class = (void *)GetProcAddress(m, "DllGetClassObject");
    can_unload = (void *)GetProcAddress(m, "DllCanUnloadNow");
    assert_int_equal(get_class(&CLSID_SharedRegion, &IID_IClassFactory, (void **)&cf), S_OK);
    assert_int_equal(IClassFactory_CreateInstance(cf, NULL, &IID_ISharedRegion, (void **)&r), S_OK);
    IClassFactory_Release(cf);
    /* Before, GetModuleFileNameW cut the path at MAX_PATH and the type library did not load. */
    assert_int_equal(IDispatch_GetIDsOfNames((IDispatch *)r, &IID_NULL, &n, 1, LOCALE_USER_DEFAULT, &id), S_OK);
    assert_int_equal(id, 7);
    ISharedRegion_Release(r);
    assert_int_equal(can_unload(), S_OK);
    FreeLibrary(m);
    DeleteFileW(target);
    for (i = 0; i < 5; i++)
    {
        RemoveDirectoryW(deep);
        *wcsrchr(deep, '\\') = 0;
    }
}

/* ---- namespaces ---- */

static void test_names_default_to_local(void **state)
{
    const WCHAR *name = unique_name(L"ns");
    WCHAR local[300], global[300];
    ISharedRegion *r = create_region(name, 4096);
    HANDLE h;
    BSTR b;

    swprintf(local, ARRAY_SIZE(local), L"Local\\%ls", name);
    swprintf(global, ARRAY_SIZE(global), L"Global\\%ls", name);
    assert_int_equal(ISharedRegion_get_Name(r, &b), S_OK);
    assert_wstr_equal(b, local);
    SysFreeString(b);
    h = OpenFileMappingW(FILE_MAP_READ, FALSE, local);
    assert_non_null(h);
    CloseHandle(h);
    /* Not in the global namespace (the two are distinct). */
    assert_null(OpenFileMappingW(FILE_MAP_READ, FALSE, global));
    assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
    ISharedRegion_Release(r);
}

static void test_global_names_are_global(void **state)
{
    WCHAR name[100], local[120];
    ISharedRegion *r = new_region();
    HRESULT hr;
    HANDLE h;
    BSTR b;

    swprintf(name, ARRAY_SIZE(name), L"Global\\sr-test-global-%lu", GetCurrentProcessId());
    swprintf(local, ARRAY_SIZE(local), L"Local\\sr-test-global-%lu", GetCurrentProcessId());
    hr = create_with_sddl(r, name, 4096, NULL);
    if (hr == HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED))
    {
        /* Not privileged: the message says which privilege is missing. */
        assert_error_text(L"Create");
        assert_non_null(wcsstr(last_description, L"SeCreateGlobalPrivilege"));
    }
    else
    {
        assert_int_equal(hr, S_OK);
        assert_int_equal(ISharedRegion_get_Name(r, &b), S_OK);
        assert_wstr_equal(b, name);
        SysFreeString(b);
        h = OpenFileMappingW(FILE_MAP_READ, FALSE, name);
        assert_non_null(h);
        CloseHandle(h);
        assert_null(OpenFileMappingW(FILE_MAP_READ, FALSE, local));
    }
    ISharedRegion_Release(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_refuses_a_name_someone_else_created),
        cmocka_unit_test(test_create_refuses_a_name_whose_dacl_shuts_us_out),
        cmocka_unit_test(test_create_refuses_a_name_held_by_another_kind_of_object),
        cmocka_unit_test(test_create_with_sddl_refuses_squatted_lock_and_signal),
        cmocka_unit_test(test_open_or_create_reports_that_it_did_not_create),
        cmocka_unit_test(test_sddl_applies_to_section_lock_and_signal),
        cmocka_unit_test(test_sddl_limits_other_openers),
        cmocka_unit_test(test_sddl_limits_the_lock_too),
        cmocka_unit_test(test_malformed_sddl_is_invalid_arg),
        cmocka_unit_test(test_owner_rights_sddl),
        cmocka_unit_test(test_names_default_to_local),
        cmocka_unit_test(test_global_names_are_global),
        cmocka_unit_test(test_open_or_create_asks_only_for_the_rights_it_needs),
        cmocka_unit_test(test_names_ending_in_lock_or_signal_suffix_are_refused),
        cmocka_unit_test(test_create_claims_lock_and_signal_names_always),
        cmocka_unit_test(test_create_of_an_open_region_names_the_region),
        cmocka_unit_test(test_global_lock_and_signal_always_get_a_dacl),
        cmocka_unit_test(test_derived_dacl_gives_each_grantee_what_it_needs),
        cmocka_unit_test(test_derived_dacl_deny_aces_group_and_null_dacl),
        cmocka_unit_test(test_foreign_event_that_grants_only_synchronize),
        cmocka_unit_test(test_open_a_section_that_grants_only_map_rights),
        cmocka_unit_test(test_foreign_mutex_through_lock_name),
        cmocka_unit_test(test_lock_and_signal_name_rules),
        cmocka_unit_test(test_create_file_makes_a_new_zero_filled_file),
        cmocka_unit_test(test_named_file_regions_claim_lock_and_signal_names),
        cmocka_unit_test(test_open_file_refuses_what_is_not_a_disk_file),
        cmocka_unit_test(test_open_file_long_and_relative_paths),
        cmocka_unit_test(test_flush_count_zero_means_to_the_end),
        cmocka_unit_test(test_view_memory_supports_error_info),
        cmocka_unit_test(test_long_install_path),
    };
    return cmocka_run_group_tests_name("security", tests, com_setup, com_teardown);
}
