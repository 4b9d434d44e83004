/*
 * SharedRegion tests: what differs by bitness, run in both builds (a 64-bit and a 32-bit process).
 *
 *   - Open by name measures the section without mapping it (NtQuerySection): a 3 GiB region opens
 *     in a 32-bit process too, reports its size, and Open maps nothing.
 *   - A copy-on-write region is mapped whole (its private pages live in that one view): a 5 GiB
 *     one works in a 64-bit process and never reaches the file; in a 32-bit process, whose whole
 *     address space is smaller, OpenFile refuses it with E_OUTOFMEMORY and says why, through the
 *     vtable and through IDispatch, and the object stays usable.
 */
#include "common.h"

#define BIG_REGION (3 * GIB)
#define BIG_FILE   (5 * GIB)

static WCHAR big_path[MAX_PATH];

static int delete_big_file(void **state)
{
    if (big_path[0]) DeleteFileW(big_path);
    big_path[0] = 0;
    return 0;
}

/* A sparse file of BIG_FILE bytes (Wine's host file system makes holes anyway). */
static const WCHAR *make_big_file(void)
{
    WCHAR dir[MAX_PATH];
    LARGE_INTEGER pos;
    HANDLE f;
    DWORD ret;

    GetTempPathW(ARRAY_SIZE(dir), dir);
    swprintf(big_path, ARRAY_SIZE(big_path), L"%lssr-bitness-%lu.bin", dir, GetCurrentProcessId());
    f = CreateFileW(big_path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    assert_true(f != INVALID_HANDLE_VALUE);
    DeviceIoControl(f, FSCTL_SET_SPARSE, NULL, 0, NULL, 0, &ret, NULL);
    pos.QuadPart = (LONGLONG)BIG_FILE;
    assert_true(SetFilePointerEx(f, pos, NULL, FILE_BEGIN));
    assert_true(SetEndOfFile(f));
    CloseHandle(f);
    return big_path;
}

static void test_open_by_name_measures_a_3gib_section_without_mapping_it(void **state)
{
    const WCHAR *name = unique_name(L"bitness-open");
    ISharedRegion *creator = create_region(name, (double)BIG_REGION), *opener = new_region();
    ULONGLONG before, after;
    double size = 0;
    LONG value = 0;

    assert_int_equal(ISharedRegion_WriteInt32(creator, (double)(BIG_REGION - 8), 0x5eed), S_OK);
    before = mapped_bytes(NULL);
    assert_int_equal(open_region(opener, name, -1), S_OK);
    after = mapped_bytes(NULL);
    assert_int_equal(ISharedRegion_get_Size(opener, &size), S_OK);
    assert_true(size == (double)BIG_REGION);
    /* Open maps nothing: a large region's window is mapped on first use. */
    if (after != before)
        fail_msg("Open of a 3 GiB region changed the mapped address space from %llu to %llu bytes", before, after);
    assert_int_equal(ISharedRegion_ReadInt32(opener, (double)(BIG_REGION - 8), &value), S_OK);
    assert_int_equal(value, 0x5eed);
    ISharedRegion_Release(opener);
    ISharedRegion_Release(creator);
}

static HRESULT open_file_cow(ISharedRegion *r, const WCHAR *path)
{
    BSTR b = SysAllocString(path);
    HRESULT hr = ISharedRegion_OpenFile(r, b, missing(), vnum(RegionCopyOnWrite), missing());
    SysFreeString(b);
    return hr;
}

static const WCHAR cow_text[] = L"OpenFile: a copy-on-write region is mapped whole (its private pages live only in "
                                L"that one view), and 5368709120 bytes do not fit in this process's free address "
                                L"space (a 32-bit process has 2 to 4 GiB in all); open it ReadOnly or ReadWrite "
                                L"(which map a sliding window) instead";

static void test_a_5gib_copy_on_write_region(void **state)
{
    const WCHAR *path = make_big_file();
    ISharedRegion *r = new_region();
    BYTE buf[4] = { 1, 1, 1, 1 };
    LARGE_INTEGER pos;
    HANDLE f;
    DWORD done = 0;
    LONG value = 0;
    HRESULT hr;

    hr = open_file_cow(r, path);
    if (sizeof(void *) == 4)
    {
        VARIANT res, arg;
        VARIANT_BOOL open = VARIANT_TRUE;
        BSTR empty = SysAllocString(L"");

        assert_int_equal(hr, E_OUTOFMEMORY);
        assert_wstr_equal(error_description(), cow_text);
        /* The object is still usable, and closed. */
        assert_int_equal(ISharedRegion_get_IsOpen(r, &open), S_OK);
        assert_int_equal(open, VARIANT_FALSE);
        assert_int_equal(ISharedRegion_Create(r, empty, 4096, missing()), S_OK);
        SysFreeString(empty);
        assert_int_equal(ISharedRegion_WriteInt32(r, 0, 7), S_OK);
        assert_int_equal(ISharedRegion_Close(r), S_OK);
        /* Through IDispatch: the same error, with the same text in the EXCEPINFO. */
        arg = vstr(path);
        hr = disp_method(r, L"OpenFile", &res, 3, arg, vnum(0), vnum(RegionCopyOnWrite));
        VariantClear(&arg);
        VariantClear(&res);
        assert_int_equal(hr, E_OUTOFMEMORY);
        assert_wstr_equal(disp_description, cow_text);
        ISharedRegion_Release(r);
        return;
    }
    /* 64 bits: mapped whole; a write at 4.5 GiB is private and never reaches the file. */
    assert_int_equal(hr, S_OK);
    assert_int_equal(ISharedRegion_WriteInt32(r, 4.5 * (double)GIB, 0x0c0ffee), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(r, 4.5 * (double)GIB, &value), S_OK);
    assert_int_equal(value, 0x0c0ffee);
    ISharedRegion_Release(r);
    f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(f != INVALID_HANDLE_VALUE);
    pos.QuadPart = (LONGLONG)(4.5 * (double)GIB);
    assert_true(SetFilePointerEx(f, pos, NULL, FILE_BEGIN));
    assert_true(ReadFile(f, buf, sizeof(buf), &done, NULL));
    CloseHandle(f);
    assert_int_equal(done, 4);
    assert_int_equal(buf[0] | buf[1] | buf[2] | buf[3], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_by_name_measures_a_3gib_section_without_mapping_it),
        cmocka_unit_test_teardown(test_a_5gib_copy_on_write_region, delete_big_file),
    };
    return cmocka_run_group_tests_name("bitness", tests, com_setup, com_teardown);
}
