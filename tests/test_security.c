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
    };
    return cmocka_run_group_tests_name("security", tests, com_setup, com_teardown);
}
