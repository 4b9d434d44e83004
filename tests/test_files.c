/*
 * SharedRegion tests: file-backed regions (OpenFile), flushing, and files beyond 4 GiB read
 * through the bounded sliding window.
 */
#include "common.h"

static WCHAR temp_dir[MAX_PATH];

/* Temporary files of the running test; the teardown deletes them, whether the test passed or not. */
static WCHAR temp_files[8][MAX_PATH];
static unsigned int temp_count, temp_serial;

static const WCHAR *temp_path(const WCHAR *stem)
{
    WCHAR *b;
    assert_true(temp_count < ARRAY_SIZE(temp_files));
    b = temp_files[temp_count++];
    if (!temp_dir[0]) GetTempPathW(MAX_PATH, temp_dir);
    swprintf(b, MAX_PATH, L"%lssr-test-%ls-%lu-%u.bin", temp_dir, stem, GetCurrentProcessId(), ++temp_serial);
    return b;
}

static int delete_temp_files(void **state)
{
    while (temp_count) DeleteFileW(temp_files[--temp_count]);
    return 0;
}

static void write_file(const WCHAR *path, const void *data, DWORD n)
{
    HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD done = 0;
    assert_true(f != INVALID_HANDLE_VALUE);
    assert_true(!n || WriteFile(f, data, n, &done, NULL));
    assert_int_equal(done, n);
    CloseHandle(f);
}

/* A sparse file of the given size (Windows: FSCTL_SET_SPARSE; the host file system of Wine
 * makes holes anyway). */
static void make_sparse_file(const WCHAR *path, ULONGLONG size)
{
    HANDLE f = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    LARGE_INTEGER pos;
    DWORD ret;
    assert_true(f != INVALID_HANDLE_VALUE);
    DeviceIoControl(f, FSCTL_SET_SPARSE, NULL, 0, NULL, 0, &ret, NULL);
    pos.QuadPart = (LONGLONG)size;
    assert_true(SetFilePointerEx(f, pos, NULL, FILE_BEGIN));
    assert_true(SetEndOfFile(f));
    CloseHandle(f);
}

static ULONGLONG file_size(const WCHAR *path)
{
    WIN32_FILE_ATTRIBUTE_DATA fad;
    assert_true(GetFileAttributesExW(path, GetFileExInfoStandard, &fad));
    return ((ULONGLONG)fad.nFileSizeHigh << 32) | fad.nFileSizeLow;
}

/* Read bytes of the file through the file system, not through any mapping of ours. */
static void file_expect(const WCHAR *path, ULONGLONG offset, const void *bytes, DWORD n)
{
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, 0, NULL);
    BYTE buf[256];
    OVERLAPPED ov = { 0 };
    DWORD done = 0;
    assert_true(f != INVALID_HANDLE_VALUE && n <= sizeof(buf));
    ov.Offset = (DWORD)offset;
    ov.OffsetHigh = (DWORD)(offset >> 32);
    assert_true(ReadFile(f, buf, n, &done, &ov));
    assert_int_equal(done, n);
    assert_memory_equal(buf, bytes, n);
    CloseHandle(f);
}

static HRESULT open_file(ISharedRegion *r, const WCHAR *path, double size, int access, const WCHAR *name)
{
    BSTR p = SysAllocString(path);
    HRESULT hr = ISharedRegion_OpenFile(r, p, size < 0 ? missing() : vnum(size), access < 0 ? missing() : vnum(access),
                                        name ? vstr(name) : missing());
    SysFreeString(p);
    return hr;
}

static void test_openfile_maps_the_files_bytes(void **state)
{
    const WCHAR *path = temp_path(L"bytes");
    static const char text[] = "file contents\0tail";
    ISharedRegion *r = new_region();
    double size;
    BSTR s;

    write_file(path, text, sizeof(text));
    assert_int_equal(open_file(r, path, -1, -1, NULL), S_OK);
    assert_int_equal(ISharedRegion_get_Size(r, &size), S_OK);
    assert_true(size == sizeof(text));
    read_expect(r, 0, text, sizeof(text));
    assert_int_equal(ISharedRegion_ReadString(r, 0, missing(), missing(), &s), S_OK);
    assert_wstr_equal(s, L"file contents");
    SysFreeString(s);
    assert_int_equal(ISharedRegion_get_FilePath(r, &s), S_OK);
    assert_int_equal(_wcsicmp(s, path), 0);
    SysFreeString(s);
    ISharedRegion_Release(r);
    assert_true(DeleteFileW(path));
}

static void test_openfile_write_and_flush_reach_the_file(void **state)
{
    const WCHAR *path = temp_path(L"flush");
    static const BYTE zeros[8192], data[] = { 'd', 'u', 'r', 'a', 'b', 'l', 'e' };
    ISharedRegion *r = new_region();
    ISharedView *v;

    write_file(path, zeros, sizeof(zeros));
    assert_int_equal(open_file(r, path, 0, RegionReadWrite, NULL), S_OK);
    write_bytes(r, 5000, data, sizeof(data));
    assert_int_equal(ISharedRegion_Flush(r, missing(), missing()), S_OK);
    file_expect(path, 5000, data, sizeof(data));
    assert_int_equal(ISharedRegion_Flush(r, vnum(4096), vnum(4096)), S_OK);
    assert_error(ISharedRegion_Flush(r, vnum(8000), vnum(500)), E_INVALIDARG, L"Flush");
    /* Through a view too. */
    assert_int_equal(ISharedRegion_MapView(r, 100, 100, missing(), &v), S_OK);
    assert_int_equal(ISharedView_WriteInt32(v, 0, 0x01020304), S_OK);
    assert_int_equal(ISharedView_Flush(v, missing(), missing()), S_OK);
    {
        static const BYTE le[] = { 4, 3, 2, 1 };
        file_expect(path, 100, le, 4);
    }
    ISharedView_Release(v);
    ISharedRegion_Release(r);
    assert_true(DeleteFileW(path));
}

static void test_openfile_larger_size_grows_the_file(void **state)
{
    const WCHAR *path = temp_path(L"grow");
    ISharedRegion *r = new_region();
    static const BYTE end[] = { 0xee };

    write_file(path, "abc", 3);
    assert_int_equal(open_file(r, path, 100000, -1, NULL), S_OK);
    write_bytes(r, 99999, end, 1);
    assert_int_equal(ISharedRegion_Flush(r, missing(), missing()), S_OK);
    ISharedRegion_Release(r);
    assert_true(file_size(path) == 100000);
    file_expect(path, 0, "abc", 3);
    file_expect(path, 99999, end, 1);
    assert_true(DeleteFileW(path));
}

static void test_openfile_smaller_size_maps_the_start(void **state)
{
    const WCHAR *path = temp_path(L"prefix");
    ISharedRegion *r = new_region();
    double size;
    VARIANT v;

    write_file(path, "0123456789", 10);
    assert_int_equal(open_file(r, path, 4, RegionReadOnly, NULL), S_OK);
    assert_int_equal(ISharedRegion_get_Size(r, &size), S_OK);
    assert_true(size == 4);
    read_expect(r, 0, "0123", 4);
    assert_error(ISharedRegion_ReadBytes(r, 4, 1, &v), E_INVALIDARG, L"ReadBytes");
    ISharedRegion_Release(r);
    assert_true(file_size(path) == 10);
    assert_true(DeleteFileW(path));
}

static void test_openfile_errors(void **state)
{
    const WCHAR *empty = temp_path(L"empty"), *ro = temp_path(L"ro");
    ISharedRegion *r = new_region();
    WCHAR dir[MAX_PATH];
    BSTR p;

    write_file(empty, NULL, 0);
    assert_error(open_file(r, empty, -1, -1, NULL), SR_E_EMPTYFILE, L"OpenFile");
    assert_non_null(wcsstr(last_description, L"is empty"));
    assert_error(open_file(r, empty, 0, RegionReadOnly, NULL), SR_E_EMPTYFILE, L"OpenFile");
    assert_error(open_file(r, temp_path(L"does-not-exist"), -1, -1, NULL), HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
                 L"OpenFile");
    GetTempPathW(MAX_PATH, dir);
    assert_error(open_file(r, dir, -1, -1, NULL), HRESULT_FROM_WIN32(ERROR_DIRECTORY_NOT_SUPPORTED), L"OpenFile");
    assert_non_null(wcsstr(last_description, L"is a directory"));
    p = SysAllocString(L"");
    assert_error(ISharedRegion_OpenFile(r, p, missing(), missing(), missing()), E_INVALIDARG, L"OpenFile");
    SysFreeString(p);
    /* A read-only mapping cannot grow the file. */
    write_file(ro, "xyz", 3);
    assert_error(open_file(r, ro, 10, RegionReadOnly, NULL), E_INVALIDARG, L"OpenFile");
    assert_true(file_size(ro) == 3);
    p = SysAllocString(ro);
    assert_error(ISharedRegion_OpenFile(r, p, vnum(-0.5), missing(), missing()), E_INVALIDARG, L"OpenFile");
    assert_wstr_equal(last_description, L"OpenFile: size -0.5 is negative");
    SysFreeString(p);
    assert_error(open_file(r, ro, 3, 5, NULL), E_INVALIDARG, L"OpenFile");
    ISharedRegion_Release(r);
    assert_true(DeleteFileW(empty));
    assert_true(DeleteFileW(ro));
}

static void test_openfile_sharing_violation(void **state)
{
    const WCHAR *path = temp_path(L"locked");
    ISharedRegion *r = new_region();
    HANDLE f;

    write_file(path, "locked", 6);
    f = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(f != INVALID_HANDLE_VALUE);
    assert_error(open_file(r, path, -1, -1, NULL), HRESULT_FROM_WIN32(ERROR_SHARING_VIOLATION), L"OpenFile");
    assert_non_null(wcsstr(last_description, L"without sharing"));
    CloseHandle(f);
    assert_int_equal(open_file(r, path, -1, -1, NULL), S_OK);
    ISharedRegion_Release(r);
    assert_true(DeleteFileW(path));
}

static void test_openfile_read_only_refuses_writes(void **state)
{
    const WCHAR *path = temp_path(L"readonly");
    ISharedRegion *r = new_region();
    RegionAccess acc;

    write_file(path, "constant", 8);
    assert_int_equal(open_file(r, path, -1, RegionReadOnly, NULL), S_OK);
    assert_int_equal(ISharedRegion_get_Access(r, &acc), S_OK);
    assert_int_equal(acc, RegionReadOnly);
    assert_error(ISharedRegion_WriteByte(r, 0, 'C'), E_ACCESSDENIED, L"WriteByte");
    assert_int_equal(ISharedRegion_Flush(r, missing(), missing()), S_OK);
    ISharedRegion_Release(r);
    file_expect(path, 0, "constant", 8);
    assert_true(DeleteFileW(path));
}

static void test_openfile_copy_on_write_never_reaches_the_file(void **state)
{
    const WCHAR *path = temp_path(L"cow");
    ISharedRegion *r = new_region(), *other = new_region();

    write_file(path, "original", 8);
    assert_int_equal(open_file(r, path, -1, RegionCopyOnWrite, NULL), S_OK);
    write_bytes(r, 0, "CHANGED!", 8);
    read_expect(r, 0, "CHANGED!", 8);
    assert_int_equal(ISharedRegion_Flush(r, missing(), missing()), S_OK);
    file_expect(path, 0, "original", 8);
    /* Another mapping of the file sees the original too. */
    assert_int_equal(open_file(other, path, -1, RegionReadOnly, NULL), S_OK);
    read_expect(other, 0, "original", 8);
    ISharedRegion_Release(other);
    ISharedRegion_Release(r);
    file_expect(path, 0, "original", 8);
    assert_true(DeleteFileW(path));
}

static void test_openfile_with_a_name_shares_the_mapping(void **state)
{
    const WCHAR *path = temp_path(L"named"), *name = unique_name(L"filemap");
    ISharedRegion *r = new_region(), *other = new_region(), *third = new_region();

    write_file(path, "shared file", 11);
    assert_int_equal(open_file(r, path, -1, -1, name), S_OK);
    assert_int_equal(open_region(other, name, -1), S_OK);
    read_expect(other, 0, "shared file", 11);
    write_bytes(other, 0, "SHARED", 6);
    read_expect(r, 0, "SHARED file", 11);
    /* The name is taken: a second OpenFile under it is refused. */
    assert_error(open_file(third, path, -1, -1, name), HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"OpenFile");
    ISharedRegion_Release(third);
    ISharedRegion_Release(other);
    ISharedRegion_Release(r);
    assert_true(DeleteFileW(path));
}

/* Copy-on-write pages live only in the view that wrote them: a large copy-on-write region is mapped
 * whole (it never slides), so its writes survive accesses far away. */
static void test_large_copy_on_write_region_keeps_its_writes(void **state)
{
    const WCHAR *path = temp_path(L"cowbig");
    ISharedRegion *r = new_region();
    LONG i = 0;

    make_sparse_file(path, 100 * MIB);
    assert_int_equal(open_file(r, path, -1, RegionCopyOnWrite, NULL), S_OK);
    assert_int_equal(ISharedRegion_WriteInt32(r, 0, 1234), S_OK);
    assert_int_equal(ISharedRegion_WriteInt32(r, (double)(90 * MIB), 5678), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(r, 0, &i), S_OK);
    assert_int_equal(i, 1234);
    assert_int_equal(ISharedRegion_ReadInt32(r, (double)(90 * MIB), &i), S_OK);
    assert_int_equal(i, 5678);
    ISharedRegion_Release(r);
    file_expect(path, 0, "\0\0\0\0", 4);          /* never reached the file */
    file_expect(path, 90 * MIB, "\0\0\0\0", 4);
}

/* A 16 GiB sparse file: write at 15 GiB, read back, and never map more than the window. */
static void test_sparse_16gib_file_uses_a_bounded_window(void **state)
{
    const WCHAR *path = temp_path(L"sparse16g");
    const ULONGLONG size = 16 * GIB, window = 64 * MIB;
    ISharedRegion *r = new_region(), *again;
    ULONGLONG base = mapped_bytes(NULL), peak = 0, now;
    static const BYTE tail[] = { 't', 'a', 'i', 'l' };
    BYTE *big;
    double dsize;
    LONG i = 0;
    VARIANT v;
    unsigned int k;

    make_sparse_file(path, size);
    assert_int_equal(open_file(r, path, -1, -1, NULL), S_OK);
    assert_int_equal(ISharedRegion_get_Size(r, &dsize), S_OK);
    assert_true(dsize == (double)size);
#define SAMPLE() do { now = mapped_bytes(NULL) - base; if (now > peak) peak = now; } while (0)
    SAMPLE();
    assert_true(peak == 0); /* nothing mapped until the first access */
    assert_int_equal(ISharedRegion_WriteInt32(r, (double)(15 * GIB), 0x5eed), S_OK);
    SAMPLE();
    write_bytes(r, (double)(size - 4), tail, 4);
    SAMPLE();
    /* An Int32 and a 1 MiB read that straddle a window edge. */
    assert_int_equal(ISharedRegion_WriteInt32(r, (double)(5 * GIB + window - 2), -99), S_OK);
    SAMPLE();
    assert_int_equal(ISharedRegion_ReadInt32(r, (double)(5 * GIB + window - 2), &i), S_OK);
    assert_int_equal(i, -99);
    big = malloc(MIB);
    for (k = 0; k < MIB; k++) big[k] = (BYTE)(k * 7);
    write_bytes(r, (double)(9 * GIB - MIB / 2), big, MIB);
    SAMPLE();
    assert_int_equal(ISharedRegion_ReadBytes(r, (double)(9 * GIB - MIB / 2), (double)MIB, &v), S_OK);
    SAMPLE();
    assert_bytes(&v, big, MIB);
    VariantClear(&v);
    /* A scan of 64 windows' worth of 1 MiB reads, spread over the file. */
    for (k = 0; k < 64; k++)
    {
        assert_int_equal(ISharedRegion_ReadBytes(r, (double)(k * (size / 64)), (double)MIB, &v), S_OK);
        VariantClear(&v);
        SAMPLE();
    }
    print_message("peak address space mapped by a 16 GiB region: %llu bytes (window %llu)\n", peak, window);
    assert_true(peak > 0 && peak <= window);
    assert_int_equal(ISharedRegion_Flush(r, vnum((double)(15 * GIB)), vnum(4096)), S_OK);
    ISharedRegion_Release(r);
    assert_true(mapped_bytes(NULL) - base == 0);

    /* A new object sees the bytes (through the file). */
    again = new_region();
    assert_int_equal(open_file(again, path, -1, RegionReadOnly, NULL), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(again, (double)(15 * GIB), &i), S_OK);
    assert_int_equal(i, 0x5eed);
    read_expect(again, (double)(size - 4), tail, 4);
    assert_int_equal(ISharedRegion_ReadInt32(again, (double)(5 * GIB + window - 2), &i), S_OK);
    assert_int_equal(i, -99);
    read_expect(again, (double)(9 * GIB - MIB / 2), big, MIB);
    ISharedRegion_Release(again);
    free(big);
    file_expect(path, 15 * GIB, "\xed\x5e\0\0", 4);
    assert_true(DeleteFileW(path));
}

/* The C half of "a view survives everything else": only the view is left, and it still sees its bytes. */
static void test_view_of_a_5gib_file_outlives_everything_else(void **state)
{
    const WCHAR *path = temp_path(L"view5g"), *name = unique_name(L"view5g");
    ISharedRegion *r = new_region();
    ISharedView *v;
    ISharedViewMemory *mem;
    BYTE *p;
    SIZE_T n;
    LONG i;

    make_sparse_file(path, 6 * GIB);
    assert_int_equal(open_file(r, path, -1, -1, name), S_OK);
    assert_int_equal(ISharedRegion_WriteInt32(r, (double)(5 * GIB + 3), 0x0badf00d), S_OK);
    assert_int_equal(ISharedRegion_MapView(r, (double)(5 * GIB + 1), 4096, missing(), &v), S_OK);
    assert_int_equal(ISharedRegion_Close(r), S_OK);
    ISharedRegion_Release(r);
    assert_true(section_exists(name));
    assert_int_equal(ISharedView_ReadInt32(v, 2, &i), S_OK);
    assert_int_equal(i, 0x0badf00d);
    assert_int_equal(ISharedView_QueryInterface(v, &IID_ISharedViewMemory, (void **)&mem), S_OK);
    assert_int_equal(ISharedViewMemory_GetAddress(mem, (void **)&p, &n), S_OK);
    assert_int_equal(n, 4096);
    assert_int_equal(*(LONG *)(p + 2), 0x0badf00d);
    ISharedViewMemory_Release(mem);
    ISharedView_Release(v);
    assert_false(section_exists(name));
    assert_false(is_mapped(p));
    file_expect(path, 5 * GIB + 3, "\x0d\xf0\xad\x0b", 4);
    assert_true(DeleteFileW(path));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_openfile_maps_the_files_bytes, delete_temp_files),
        cmocka_unit_test_teardown(test_openfile_write_and_flush_reach_the_file, delete_temp_files),
        cmocka_unit_test_teardown(test_openfile_larger_size_grows_the_file, delete_temp_files),
        cmocka_unit_test_teardown(test_openfile_smaller_size_maps_the_start, delete_temp_files),
        cmocka_unit_test_teardown(test_openfile_errors, delete_temp_files),
        cmocka_unit_test_teardown(test_openfile_sharing_violation, delete_temp_files),
        cmocka_unit_test_teardown(test_openfile_read_only_refuses_writes, delete_temp_files),
        cmocka_unit_test_teardown(test_openfile_copy_on_write_never_reaches_the_file, delete_temp_files),
        cmocka_unit_test_teardown(test_openfile_with_a_name_shares_the_mapping, delete_temp_files),
        cmocka_unit_test_teardown(test_large_copy_on_write_region_keeps_its_writes, delete_temp_files),
        cmocka_unit_test_teardown(test_sparse_16gib_file_uses_a_bounded_window, delete_temp_files),
        cmocka_unit_test_teardown(test_view_of_a_5gib_file_outlives_everything_else, delete_temp_files),
    };
    return cmocka_run_group_tests_name("files", tests, com_setup, com_teardown);
}
