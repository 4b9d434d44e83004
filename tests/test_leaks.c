/*
 * SharedRegion tests: nothing leaks. 10,000 cycles of create / map / write / release in every shape
 * the objects can take, then the process is back where it started:
 *   - mapped views (VirtualQuery, MEM_MAPPED): the same number and bytes as before, exactly;
 *   - handles (the system's handle list; GetProcessHandleCount is a stub under Wine): exactly;
 *   - private bytes (GetProcessMemoryInfo): within PRIVATE_BOUND;
 *   - every name is gone (OpenFileMapping, OpenMutex, OpenEvent fail), checked every cycle.
 */
#include "hardening.h"
#include <psapi.h>

#define CYCLES        10000
#define WARMUP        300
#define PRIVATE_BOUND (1024 * 1024)    /* bytes the whole run may add: heap slack, not 100 bytes a cycle */

/* Private bytes. PrivateUsage reads 0 under Wine; PagefileUsage is the same figure (the commit
 * charge) on Windows and is kept up to date by Wine. */
static ULONGLONG private_bytes(void)
{
    PROCESS_MEMORY_COUNTERS_EX pmc;
    memset(&pmc, 0, sizeof(pmc));
    pmc.cb = sizeof(pmc);
    if (!GetProcessMemoryInfo(GetCurrentProcess(), (PROCESS_MEMORY_COUNTERS *)&pmc, sizeof(pmc))) return 0;
    return pmc.PrivateUsage ? pmc.PrivateUsage : pmc.PagefileUsage;
}

static BOOL kernel_object_exists(const WCHAR *name, const WCHAR *suffix)
{
    WCHAR full[300];
    HANDLE h;

    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls%ls", name, suffix);
    if (!*suffix) h = OpenFileMappingW(FILE_MAP_READ, FALSE, full);
    else if (!wcscmp(suffix, L"@SharedRegion.Lock")) h = OpenMutexW(SYNCHRONIZE, FALSE, full);
    else h = OpenEventW(SYNCHRONIZE, FALSE, full);
    if (h) CloseHandle(h);
    return h != NULL;
}

static WCHAR file_path[MAX_PATH];

/* Teardown: the scratch file goes whether the test passed or failed. */
static int delete_scratch_file(void **state)
{
    (void)state;
    if (file_path[0] && !DeleteFileW(file_path) && GetLastError() != ERROR_FILE_NOT_FOUND)
        print_message("could not delete %ls (error %lu)\n", file_path, GetLastError());
    file_path[0] = 0;
    return 0;
}

/* One cycle of one of several shapes; every object is released before it returns. */
static void cycle(unsigned int i)
{
    static const BYTE bytes[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    WCHAR name[64];
    ISharedRegion *r = new_region(), *other;
    ISharedView *v = NULL;
    VARIANT data, res, sddl, s1, s2, s3;
    VARIANT_BOOL ok;
    LONG n;
    BSTR b;

    swprintf(name, ARRAY_SIZE(name), L"sr-hard-leak-%lu-%u", GetCurrentProcessId(), i);
    switch (i % 6)
    {
    case 0: /* named region, a view, typed and byte writes, lock and signal */
        b = SysAllocString(name);
        assert_int_equal(ISharedRegion_Create(r, b, 65536, missing()), S_OK);
        SysFreeString(b);
        assert_int_equal(ISharedRegion_MapView(r, 4096 + 7, 8192, missing(), &v), S_OK);
        data = byte_array(bytes, sizeof(bytes));
        assert_int_equal(ISharedView_WriteBytes(v, 0, data), S_OK);
        VariantClear(&data);
        assert_int_equal(ISharedRegion_WriteInt32(r, 100, (LONG)i), S_OK);
        assert_int_equal(ISharedRegion_ReadInt32(r, 100, &n), S_OK);
        assert_int_equal(n, (LONG)i);
        b = SysAllocString(L"leak check");
        assert_int_equal(ISharedView_WriteString(v, 64, b, missing(), missing(), &n), S_OK);
        SysFreeString(b);
        assert_int_equal(ISharedRegion_ReadBytes(r, 4096 + 7, 16, &res), S_OK);
        assert_bytes(&res, bytes, sizeof(bytes));
        VariantClear(&res);
        assert_int_equal(ISharedRegion_Lock(r, 0, &ok), S_OK);
        assert_int_equal(ISharedRegion_Unlock(r), S_OK);
        assert_int_equal(ISharedRegion_Signal(r), S_OK);
        assert_int_equal(ISharedRegion_WaitSignal(r, 0, &ok), S_OK);
        assert_int_equal(ok, VARIANT_TRUE);
        ISharedView_Release(v);
        break;
    case 1: /* anonymous region; the view outlives the region object */
        b = SysAllocString(L"");
        assert_int_equal(ISharedRegion_Create(r, b, 1 << 20, missing()), S_OK);
        SysFreeString(b);
        assert_int_equal(ISharedRegion_MapView(r, 0, 0, missing(), &v), S_OK);
        ISharedRegion_Release(r);
        r = NULL;
        assert_int_equal(ISharedView_Fill(v, 0, 1 << 20, 0x5a), S_OK);
        assert_int_equal(ISharedView_ReadString(v, (1 << 20) - 8, missing(), missing(), &b), S_OK);
        SysFreeString(b);
        ISharedView_Release(v);
        break;
    case 2: /* a file; read it, write it, flush it */
        b = SysAllocString(file_path);
        assert_int_equal(ISharedRegion_OpenFile(r, b, missing(), missing(), missing()), S_OK);
        SysFreeString(b);
        assert_int_equal(ISharedRegion_WriteDouble(r, 8, i * 0.5), S_OK);
        assert_int_equal(ISharedRegion_Flush(r, missing(), missing()), S_OK);
        assert_int_equal(ISharedRegion_MapView(r, 4095, 2, vnum(RegionReadOnly), &v), S_OK);
        assert_int_equal(ISharedView_ReadBytes(v, 0, 2, &res), S_OK);
        VariantClear(&res);
        ISharedView_Release(v);
        break;
    case 3: /* two objects on one name; Close, reopen, Unmap */
        b = SysAllocString(name);
        assert_int_equal(ISharedRegion_OpenOrCreate(r, b, 8192, missing(), &ok), S_OK);
        assert_int_equal(ok, VARIANT_TRUE);
        other = new_region();
        assert_int_equal(ISharedRegion_Open(other, b, vnum(RegionReadOnly)), S_OK);
        assert_int_equal(ISharedRegion_MapView(other, 0, 4096, missing(), &v), S_OK);
        assert_int_equal(ISharedRegion_Close(other), S_OK);
        assert_int_equal(ISharedRegion_Open(other, b, missing()), S_OK);
        assert_int_equal(ISharedView_Unmap(v), S_OK);
        ISharedView_Release(v);
        ISharedRegion_Release(other);
        SysFreeString(b);
        break;
    case 4: /* failures: each builds error information that must not leak */
        b = SysAllocString(name);
        assert_int_equal(ISharedRegion_Open(r, b, missing()), HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
        assert_int_equal(ISharedRegion_Create(r, b, -1, missing()), E_INVALIDARG);
        assert_int_equal(ISharedRegion_ReadBytes(r, 0, 1, &res), SR_E_NOTOPEN);
        sddl = vstr(L"D:(A;;ZZ;;;WD)");
        assert_int_equal(ISharedRegion_Create(r, b, 4096, sddl), E_INVALIDARG);
        VariantClear(&sddl);
        SysFreeString(b);
        b = SysAllocString(file_path);
        assert_int_equal(ISharedRegion_OpenFile(r, b, vnum(1 << 30), vnum(RegionReadOnly), missing()), E_INVALIDARG);
        SysFreeString(b);
        (void)error_description(); /* take the last error information, as a caller would */
        break;
    case 5: /* through IDispatch, failures included (EXCEPINFO strings are the caller's to free) */
        s1 = vstr(name);
        s2 = vstr(L"scripted");
        s3 = vstr(L"x");
        assert_int_equal(disp_method(r, L"Create", NULL, 2, s1, vnum(4096)), S_OK);
        assert_int_equal(disp_method(r, L"WriteString", &res, 2, vnum(0), s2), S_OK);
        assert_int_equal(disp_method(r, L"ReadString", &res, 1, vnum(0)), S_OK);
        VariantClear(&res);
        assert_int_equal(disp_method(r, L"ReadBytes", &res, 2, vnum(5000), vnum(1)), E_INVALIDARG);
        VariantClear(&res);
        assert_int_equal(disp_method(r, L"ReadBytes", &res, 2, s3, vnum(1)), DISP_E_TYPEMISMATCH);
        VariantClear(&res);
        VariantClear(&s1);
        VariantClear(&s2);
        VariantClear(&s3);
        assert_int_equal(disp_method(r, L"Unmap", NULL, 1, vnum(1)), DISP_E_UNKNOWNNAME);
        assert_int_equal(disp_method(r, L"MapView", &res, 2, vnum(0), vnum(0)), S_OK);
        VariantClear(&res);
        break;
    }
    if (r) ISharedRegion_Release(r);
    /* The names went with the last object. */
    if (kernel_object_exists(name, L"") || kernel_object_exists(name, L"@SharedRegion.Lock")
        || kernel_object_exists(name, L"@SharedRegion.Signal"))
        fail_msg("cycle %u: a kernel object named %ls outlived its last object", i, name);
}

static void test_create_map_write_release_leaves_nothing_behind(void **state)
{
    unsigned int views0, views1, i;
    ULONGLONG mapped0, mapped1, private0, private1, private_peak = 0;
    LONG handles0, handles1;
    double start, elapsed;

    temp_path(file_path, MAX_PATH, L"leaks");
    assert_true(write_file(file_path, 65536, TRUE));

    for (i = 0; i < WARMUP; i++) cycle(i);
    assert_int_equal(server_can_unload_now(), S_OK);
    mapped0 = mapped_bytes(&views0);
    handles0 = process_handle_count();
    private0 = private_bytes();
    /* private_bytes() is 0 when it cannot measure: the bound below would then mean nothing. */
    if (!private0) fail_msg("private bytes cannot be measured (GetProcessMemoryInfo gave 0)");

    start = now_ms();
    for (i = 0; i < CYCLES; i++)
    {
        cycle(WARMUP + i);
        if (i % 1000 == 999)
        {
            ULONGLONG p = private_bytes();
            if (p > private_peak) private_peak = p;
        }
    }
    elapsed = now_ms() - start;

    assert_int_equal(server_can_unload_now(), S_OK);
    mapped1 = mapped_bytes(&views1);
    handles1 = process_handle_count();
    private1 = private_bytes();

    print_message("[ FIGURES  ] leaks: %u cycles in %.1f s; mapped views %u -> %u (%llu -> %llu bytes); "
                  "handles %ld -> %ld; private bytes %llu -> %llu (%+lld, bound %u, peak %llu)\n",
                  CYCLES, elapsed / 1000, views0, views1, mapped0, mapped1, handles0, handles1, private0, private1,
                  (LONGLONG)(private1 - private0), PRIVATE_BOUND, private_peak);
    assert_int_equal(views1, views0);
    assert_true(mapped1 == mapped0);
    assert_true(private1 > 0);
    assert_true(private1 <= private0 + PRIVATE_BOUND);
    if (handles0 < 0 || handles1 < 0)
    {
        print_message("[  SKIP    ] the handle count: the system does not list handles "
                      "(NtQuerySystemInformation(SystemHandleInformation) failed), so it cannot be compared\n");
        skip();
    }
    assert_int_equal(handles1, handles0);
}

/* A mapping held only by a view goes with the view: nothing waits for the region object. */
static void test_view_is_the_last_holder(void **state)
{
    const WCHAR *name = unique_name(L"lastholder");
    ISharedRegion *r = create_region(name, 65536);
    ISharedView *v;
    unsigned int views0, views1;

    mapped_bytes(&views0);
    assert_int_equal(ISharedRegion_MapView(r, 0, 0, missing(), &v), S_OK);
    ISharedRegion_Release(r);
    assert_true(section_exists(name));
    ISharedView_Release(v);
    assert_false(section_exists(name));
    mapped_bytes(&views1);
    assert_int_equal(views1, views0 - 1); /* the region's own window and the view: both gone */
    assert_int_equal(server_can_unload_now(), S_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_create_map_write_release_leaves_nothing_behind, delete_scratch_file),
        cmocka_unit_test(test_view_is_the_last_holder),
    };
    return cmocka_run_group_tests_name("leaks", tests, com_setup, com_teardown);
}
