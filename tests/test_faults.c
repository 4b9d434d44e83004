/*
 * SharedRegion tests: faults that must not take the host process down.
 *
 *   test_faults         a file-backed view whose file is truncated under the mapping: every copy that
 *                       touches the missing pages returns SR_E_PAGEFAULT with a description, the pages
 *                       still in the file keep working, and the region recovers when the file grows
 *                       back. A fault outside the range a copy touches (the caller's own buffer) is not
 *                       swallowed: the process fails as it would without SharedRegion.
 *   test_faults oom     (run by CTest as test_faults_oom under an address-space limit, `ulimit -v`):
 *                       allocations that fail return E_OUTOFMEMORY and leave the object usable.
 *
 * Windows and Wine both refuse to truncate a mapped file through the Windows API (SetEndOfFile fails
 * with ERROR_USER_MAPPED_FILE). Under Wine another program can still do it, as one would on Linux:
 * the test runs the system's `truncate` (Wine starts Unix programs). Where there is no such way the
 * test says so and is skipped.
 */
#include "hardening.h"

#define FILE_BYTES   65536
#define KEPT_BYTES   4096            /* what is left of the file after the truncation */
#define VIEW_OFFSET  8192

static WCHAR file_path[MAX_PATH];
/* What the truncation test holds on the file, for its teardown: a test that fails half-way leaves
 * them, and the file cannot be deleted while they map it. */
static ISharedRegion *held_r, *held_ro;
static ISharedView *held_v;

/* Teardown of the truncation test: release what it still holds, delete the file, passed or not. */
static int release_and_delete_file(void **state)
{
    (void)state;
    if (held_v) ISharedView_Release(held_v);
    if (held_ro) ISharedRegion_Release(held_ro);
    if (held_r) ISharedRegion_Release(held_r);
    held_v = NULL;
    held_r = held_ro = NULL;
    if (file_path[0] && !DeleteFileW(file_path) && GetLastError() != ERROR_FILE_NOT_FOUND)
        print_message("could not delete %ls (error %lu)\n", file_path, GetLastError());
    file_path[0] = 0;
    return 0;
}

/* ---- truncating a file behind the mapping's back ---- */

/* The system's truncate program, when this is Wine on a Unix system: its Windows path. */
static BOOL unix_truncate_program(WCHAR *program, size_t size)
{
    static const WCHAR *candidates[] = { L"Z:\\usr\\bin\\truncate", L"Z:\\bin\\truncate" };
    unsigned int i;

    if (!wine_version()) return FALSE;
    for (i = 0; i < ARRAY_SIZE(candidates); i++)
        if (GetFileAttributesW(candidates[i]) != INVALID_FILE_ATTRIBUTES)
        {
            lstrcpynW(program, candidates[i], (int)size);
            return TRUE;
        }
    return FALSE;
}

static LONGLONG file_size(const WCHAR *path)
{
    WIN32_FILE_ATTRIBUTE_DATA data;
    if (!GetFileAttributesExW(path, GetFileExInfoStandard, &data)) return -1;
    return ((LONGLONG)data.nFileSizeHigh << 32) | data.nFileSizeLow;
}

/* Set the file's size from outside the Windows API; TRUE once the file has that size. */
static BOOL resize_from_outside(const WCHAR *path, LONGLONG size)
{
    char *(CDECL *unix_name)(const WCHAR *) = (void *)GetProcAddress(GetModuleHandleW(L"kernel32.dll"),
                                                                     "wine_get_unix_file_name");
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    WCHAR program[MAX_PATH], cmd[2 * MAX_PATH + 64];
    char *name;
    int i;

    if (!unix_name || !unix_truncate_program(program, ARRAY_SIZE(program)) || !(name = unix_name(path))) return FALSE;
    swprintf(cmd, ARRAY_SIZE(cmd), L"%ls -s %lld \"%hs\"", program, size, name);
    HeapFree(GetProcessHeap(), 0, name);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) return FALSE;
    /* A Unix program's handle cannot be waited on: watch the file instead. */
    for (i = 0; i < 500 && file_size(path) != size; i++) Sleep(20);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return file_size(path) == size;
}

/* ---- the fault ---- */

static void expect_fault(HRESULT hr, const WCHAR *method, const char *where)
{
    if (hr != SR_E_PAGEFAULT)
        fail_msg("%s: %ls returned %#lx, expected SR_E_PAGEFAULT (%ls)", where, method, hr, error_description());
    assert_error_text(method);
    if (!wcsstr(last_description, L"could not be") || !wcsstr(last_description, L"the file behind it was truncated"))
        fail_msg("%s: %ls's description does not say what happened: '%ls'", where, method, last_description);
}

static void expect_dispatch_fault(HRESULT hr, const WCHAR *method)
{
    if (hr != SR_E_PAGEFAULT) fail_msg("IDispatch: %ls returned %#lx, expected SR_E_PAGEFAULT", method, hr);
    assert_error_text_impl(disp_description, method, __FILE__, __LINE__);
}

/* A Snapshot that faults returns no object. guard NULL: none. */
static HRESULT snapshot_of(IUnknown *object, double offset, double count, const WCHAR *guard)
{
    ISharedSnapshot *s = (ISharedSnapshot *)(ULONG_PTR)1;
    ISharedData *d;
    VARIANT g = guard ? vstr(guard) : missing();
    HRESULT hr;

    assert_int_equal(IUnknown_QueryInterface(object, &IID_ISharedData, (void **)&d), S_OK);
    hr = ISharedData_Snapshot(d, offset, count, g, 100, &s);
    if (SUCCEEDED(hr)) ISharedSnapshot_Release(s);
    else assert_null(s);
    VariantClear(&g);
    ISharedData_Release(d);
    return hr;
}

static void test_truncated_file_is_a_page_fault_not_a_crash(void **state)
{
    static const BYTE bytes[4] = { 1, 2, 3, 4 };
    ISharedRegion *r = held_r = new_region(), *ro = held_ro = new_region();
    ISharedView *v;
    VARIANT data, res;
    HANDLE other;
    BSTR path, text = NULL;
    BYTE b;
    LONG i32, n;
    double d;
    BOOL refused;
    DWORD err;
    unsigned int kept_byte;

    temp_path(file_path, MAX_PATH, L"faults");
    assert_true(write_file(file_path, FILE_BYTES, TRUE));
    path = SysAllocString(file_path);
    assert_int_equal(ISharedRegion_OpenFile(r, path, missing(), missing(), missing()), S_OK);
    assert_int_equal(ISharedRegion_OpenFile(ro, path, missing(), vnum(RegionReadOnly), missing()), S_OK);
    assert_int_equal(ISharedRegion_MapView(r, VIEW_OFFSET, 8192, missing(), &v), S_OK);
    held_v = v;
    assert_int_equal(ISharedRegion_ReadByte(r, VIEW_OFFSET + 5, &b), S_OK);
    assert_int_equal(b, pattern_byte(VIEW_OFFSET + 5));

    /* The Windows API refuses to truncate a mapped file. */
    other = CreateFileW(file_path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                        NULL, OPEN_EXISTING, 0, NULL);
    assert_true(other != INVALID_HANDLE_VALUE);
    SetFilePointer(other, KEPT_BYTES, NULL, FILE_BEGIN);
    refused = !SetEndOfFile(other);
    err = GetLastError();
    CloseHandle(other);
    if (refused)
    {
        assert_int_equal(err, ERROR_USER_MAPPED_FILE);
        if (!resize_from_outside(file_path, KEPT_BYTES))
        {
            SysFreeString(path);
            print_message("[  SKIP    ] this system refuses to truncate a mapped file (ERROR_USER_MAPPED_FILE) and "
                          "offers no other program to do it, so no page-in failure can be provoked here\n");
            skip();
        }
        print_message("[  NOTE    ] SetEndOfFile refused (ERROR_USER_MAPPED_FILE); the file was truncated by %s "
                      "from outside the Windows API\n", "the system's truncate program");
    }
    assert_true(file_size(file_path) == KEPT_BYTES);

    /* Every copy into or out of the pages that are gone fails, through the region and the view. */
    expect_fault(ISharedRegion_ReadBytes(r, VIEW_OFFSET, 16, &res), L"ReadBytes", "region");
    assert_int_equal(V_VT(&res), VT_EMPTY);
    assert_non_null(wcsstr(last_description, L"offset 8192 could not be read"));
    expect_fault(ISharedRegion_ReadByte(r, 20000, &b), L"ReadByte", "region");
    expect_fault(ISharedRegion_ReadInt32(r, KEPT_BYTES - 2, &i32), L"ReadInt32", "region (across the end)");
    expect_fault(ISharedRegion_ReadDouble(r, 30000, &d), L"ReadDouble", "region");
    expect_fault(ISharedRegion_ReadString(r, 40000, missing(), missing(), &text), L"ReadString", "region");
    assert_null(text);
    data = byte_array(bytes, sizeof(bytes));
    expect_fault(ISharedRegion_WriteBytes(r, 50000, data), L"WriteBytes", "region");
    assert_non_null(wcsstr(last_description, L"could not be written"));
    expect_fault(ISharedRegion_WriteByte(r, 50001, 7), L"WriteByte", "region");
    expect_fault(ISharedRegion_WriteInt32(r, 50002, 7), L"WriteInt32", "region");
    expect_fault(ISharedRegion_WriteDouble(r, 50010, 7), L"WriteDouble", "region");
    expect_fault(ISharedRegion_Fill(r, KEPT_BYTES - 100, 200, 9), L"Fill", "region (across the end)");
    {
        BSTR s = SysAllocString(L"gone");
        expect_fault(ISharedRegion_WriteString(r, 60000, s, missing(), missing(), &n), L"WriteString", "region");
        assert_int_equal(n, 0);
        SysFreeString(s);
    }
    expect_fault(ISharedView_ReadBytes(v, 0, 8192, &res), L"ReadBytes", "view");
    expect_fault(ISharedView_WriteBytes(v, 100, data), L"WriteBytes", "view");
    expect_fault(ISharedView_ReadInt32(v, 4, &i32), L"ReadInt32", "view");
    /* A Snapshot's try (the counters, the copy, the counters again) is guarded as one copy: the frame
     * in the pages that are gone, or a counter there, with the counter or the frame still in the file. */
    expect_fault(snapshot_of((IUnknown *)r, VIEW_OFFSET, 16, NULL), L"Snapshot", "region, no guard");
    assert_non_null(wcsstr(last_description, L"offset 8192 could not be read"));
    expect_fault(snapshot_of((IUnknown *)r, VIEW_OFFSET, 16, L"tick:0"), L"Snapshot", "region, frame gone");
    assert_non_null(wcsstr(last_description, L"offset 8192 could not be read"));
    expect_fault(snapshot_of((IUnknown *)r, 0, 16, L"pair:32,20000"), L"Snapshot", "region, a counter gone");
    assert_non_null(wcsstr(last_description, L"offset 20000 could not be read"));
    expect_fault(snapshot_of((IUnknown *)v, 0, 64, L"tick:8:Q"), L"Snapshot", "view");
    expect_fault(snapshot_of((IUnknown *)ro, 4000, 200, L"tick:0"), L"Snapshot", "read-only region, across the end");
    expect_fault(ISharedRegion_ReadBytes(ro, 9000, 1, &res), L"ReadBytes", "read-only region");
    /* Through IDispatch, as a script sees it. */
    expect_dispatch_fault(disp_method(r, L"ReadBytes", &res, 2, vnum(VIEW_OFFSET), vnum(4)), L"ReadBytes");
    expect_dispatch_fault(disp_method(v, L"Fill", NULL, 3, vnum(0), vnum(10), vnum(1)), L"Fill");

    /* What is still in the file works, through every object. */
    for (kept_byte = 0; kept_byte < KEPT_BYTES; kept_byte += 1021)
    {
        assert_int_equal(ISharedRegion_ReadByte(ro, kept_byte, &b), S_OK);
        assert_int_equal(b, pattern_byte(kept_byte));
    }
    assert_int_equal(ISharedRegion_WriteInt32(r, 100, 0x600d), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(ro, 100, &i32), S_OK);
    assert_int_equal(i32, 0x600d);
    assert_int_equal(snapshot_of((IUnknown *)ro, 0, KEPT_BYTES, L"tick:4088:Q"), S_OK);

    /* The file grows back (zeros): the same objects work again over the whole range. */
    assert_true(resize_from_outside(file_path, FILE_BYTES));
    assert_int_equal(ISharedRegion_ReadByte(r, 20000, &b), S_OK);
    assert_int_equal(b, 0);
    assert_int_equal(ISharedView_WriteBytes(v, 100, data), S_OK);
    assert_int_equal(ISharedRegion_ReadBytes(ro, VIEW_OFFSET + 100, 4, &res), S_OK);
    assert_bytes(&res, bytes, 4);
    VariantClear(&res);

    VariantClear(&data);
    ISharedView_Release(v);
    ISharedRegion_Release(ro);
    ISharedRegion_Release(r);
    held_v = NULL;
    held_r = held_ro = NULL;
    SysFreeString(path);
    assert_int_equal(server_can_unload_now(), S_OK);
}

/* ---- a fault that is not ours passes through ---- */

static LONG WINAPI report_and_exit(EXCEPTION_POINTERS *ptrs)
{
    ExitProcess(ptrs->ExceptionRecord->ExceptionCode);
    return EXCEPTION_CONTINUE_SEARCH;
}

/* The child: WriteBytes from a caller's array whose memory cannot be read. That fault is in the
 * caller's buffer, not in the mapped range: it must reach the process's own handler. */
static int fault_in_callers_buffer(void)
{
    ISharedRegion *r;
    SAFEARRAY *sa;
    VARIANT data;
    BYTE *page;
    HRESULT hr;

    SetErrorMode(SEM_NOGPFAULTERRORBOX | SEM_FAILCRITICALERRORS);
    SetUnhandledExceptionFilter(report_and_exit);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&r)))
        return 2;
    {
        BSTR b = SysAllocString(L"");
        VARIANT m = missing();
        if (FAILED(ISharedRegion_Create(r, b, 4096, m))) return 2;
        SysFreeString(b);
    }
    page = VirtualAlloc(NULL, 4096, MEM_COMMIT, PAGE_NOACCESS);
    sa = SafeArrayCreateVector(VT_UI1, 0, 16);
    sa->pvData = page;                    /* the array's bytes now live on a page nobody may read */
    sa->fFeatures |= FADF_STATIC;
    V_VT(&data) = VT_ARRAY | VT_UI1;
    V_ARRAY(&data) = sa;
    hr = ISharedRegion_WriteBytes(r, 0, data);
    printf("WriteBytes returned %#lx: the fault was swallowed\n", hr);
    return 3;
}

static void test_a_fault_outside_the_copy_is_not_swallowed(void **state)
{
    WCHAR self[MAX_PATH], cmd[MAX_PATH + 32];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    DWORD code = 0;

    GetModuleFileNameW(NULL, self, ARRAY_SIZE(self));
    swprintf(cmd, ARRAY_SIZE(cmd), L"\"%ls\" fault-in-callers-buffer", self);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    assert_true(CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    assert_int_equal(WaitForSingleObject(pi.hProcess, 60000), WAIT_OBJECT_0);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    if (code != EXCEPTION_ACCESS_VIOLATION)
        fail_msg("the child exited with %#lx, expected the access violation it caused (%#lx)", code,
                 (DWORD)EXCEPTION_ACCESS_VIOLATION);
}

/* ---- out of memory (run under an address-space limit) ---- */

static void test_out_of_memory_leaves_the_object_usable(void **state)
{
    const double size = 2147483648.0 + 65536;   /* more than one call may read, so ReadBytes can ask for 2 GiB */
    ISharedRegion *r;
    ISharedView *v = NULL;
    SAFEARRAY *probe;
    VARIANT res;
    LONG value = 0;
    HRESULT hr;

    probe = SafeArrayCreateVector(VT_UI1, 0, 0x7fffffff);
    if (probe)
    {
        SafeArrayDestroy(probe);
        print_message("[  SKIP    ] a 2 GiB allocation succeeds here: no address-space limit is in effect (CTest runs "
                      "this as test_faults_oom under `ulimit -v`)\n");
        skip();
    }
    r = create_region(L"", size);
    assert_int_equal(ISharedRegion_WriteInt32(r, 2147483648.0, 0x0bad), S_OK);

    /* The byte array for 2 GiB - 1 cannot be allocated. */
    assert_error(ISharedRegion_ReadBytes(r, 0, 2147483647.0, &res), E_OUTOFMEMORY, L"ReadBytes");
    assert_wstr_equal(last_description, L"ReadBytes: out of memory for 2147483647 bytes");
    assert_int_equal(V_VT(&res), VT_EMPTY);
    assert_disp_error(disp_method(r, L"ReadBytes", &res, 2, vnum(1), vnum(2147483647.0)), E_OUTOFMEMORY, L"ReadBytes");
    /* A view of the whole region does not fit in what is left of the address space. */
    hr = ISharedRegion_MapView(r, 0, 0, missing(), &v);
    assert_null(v);
    assert_error(hr, HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY), L"MapView");
    assert_non_null(wcsstr(last_description, L"cannot map 2147549184 bytes at offset 0"));

    /* The object is as usable as before. */
    assert_int_equal(ISharedRegion_ReadInt32(r, 2147483648.0, &value), S_OK);
    assert_int_equal(value, 0x0bad);
    assert_int_equal(ISharedRegion_ReadBytes(r, 2147483648.0, 4, &res), S_OK);
    VariantClear(&res);
    assert_int_equal(ISharedRegion_MapView(r, 2147483648.0, 65536, missing(), &v), S_OK);
    assert_int_equal(ISharedView_ReadInt32(v, 0, &value), S_OK);
    assert_int_equal(value, 0x0bad);
    ISharedView_Release(v);
    ISharedRegion_Release(r);
    assert_int_equal(server_can_unload_now(), S_OK);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest faults[] = {
        cmocka_unit_test_teardown(test_truncated_file_is_a_page_fault_not_a_crash, release_and_delete_file),
        cmocka_unit_test(test_a_fault_outside_the_copy_is_not_swallowed),
    };
    const struct CMUnitTest oom[] = {
        cmocka_unit_test(test_out_of_memory_leaves_the_object_usable),
    };

    if (argc > 1 && !strcmp(argv[1], "fault-in-callers-buffer")) return fault_in_callers_buffer();
    if (argc > 1 && !strcmp(argv[1], "oom")) return cmocka_run_group_tests_name("faults_oom", oom, com_setup, com_teardown);
    return cmocka_run_group_tests_name("faults", faults, com_setup, com_teardown);
}
