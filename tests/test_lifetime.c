/*
 * SharedRegion tests: the lifetime rules (API.md rules 1-5).
 *   - releasing the last object unmaps every view and closes every handle: proven by the name
 *     vanishing (OpenFileMapping fails) and by VirtualQuery finding none of our views;
 *   - DllCanUnloadNow follows regions, views and LockServer; CoFreeUnusedLibraries unloads
 *     the DLL and it loads again;
 *   - a process that exits, or is killed, with live objects neither hangs nor crashes, and
 *     the process sharing the region keeps its data (real child processes).
 */
#include "common.h"
#include "hardening.h"

static const WCHAR *child_exe(void)
{
    static WCHAR path[MAX_PATH];
    GetModuleFileNameW(NULL, path, MAX_PATH);
    return path;
}

/* Start this program again as a child: test_lifetime.exe MODE NAME. */
static HANDLE start_child(const char *mode, const WCHAR *name)
{
    WCHAR cmd[1024];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;

    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    swprintf(cmd, ARRAY_SIZE(cmd), L"\"%ls\" %hs %ls", child_exe(), mode, name);
    assert_true(CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    CloseHandle(pi.hThread);
    return pi.hProcess;
}

/* Wait for the child's "ready" event (it has bound its objects); the event is named after the region. */
static HANDLE ready_event(const WCHAR *name)
{
    WCHAR ev[300];
    swprintf(ev, ARRAY_SIZE(ev), L"Local\\%ls-ready", name);
    return CreateEventW(NULL, TRUE, FALSE, ev);
}

static void test_release_unmaps_views_and_closes_handles(void **state)
{
    const WCHAR *name = unique_name(L"release");
    unsigned int before, during, after;
    LONG handles_before, handles_during, handles_after;
    ISharedRegion *r;
    ISharedView *v1, *v2;
    ISharedViewMemory *mem;
    void *p1, *p2;
    SIZE_T n;

    /* Warm up once, so that what COM and the type library keep for the process is not counted. */
    r = create_region(unique_name(L"warmup"), 4096);
    assert_int_equal(ISharedRegion_MapView(r, 0, 0, missing(), &v1), S_OK);
    assert_int_equal(disp_method(r, L"ReadInt32", NULL, 1, vnum(0)), S_OK);
    ISharedView_Release(v1);
    ISharedRegion_Release(r);

    handles_before = process_handle_count();
    mapped_bytes(&before);
    r = create_region(name, 1 << 20);
    assert_int_equal(ISharedRegion_WriteInt32(r, 0, 1), S_OK);
    assert_int_equal(ISharedRegion_MapView(r, 100, 1000, missing(), &v1), S_OK);
    assert_int_equal(ISharedRegion_MapView(r, 500000, 0, missing(), &v2), S_OK);
    assert_int_equal(ISharedView_QueryInterface(v1, &IID_ISharedViewMemory, (void **)&mem), S_OK);
    assert_int_equal(ISharedViewMemory_GetAddress(mem, &p1, &n), S_OK);
    ISharedViewMemory_Release(mem);
    assert_int_equal(ISharedView_QueryInterface(v2, &IID_ISharedViewMemory, (void **)&mem), S_OK);
    assert_int_equal(ISharedViewMemory_GetAddress(mem, &p2, &n), S_OK);
    ISharedViewMemory_Release(mem);
    mapped_bytes(&during);
    assert_int_equal(during, before + 3); /* the region's window and two views */
    handles_during = process_handle_count();
    assert_true(is_mapped(p1) && is_mapped(p2));

    ISharedRegion_Release(r);
    assert_true(section_exists(name)); /* the views hold the mapping */
    ISharedView_Release(v1);
    assert_false(is_mapped(p1));
    assert_true(section_exists(name));
    ISharedView_Release(v2);
    assert_false(is_mapped(p2));
    assert_false(section_exists(name));
    mapped_bytes(&after);
    assert_int_equal(after, before);
    assert_int_equal(server_can_unload_now(), S_OK);

    /* Every handle closed: the system's handle table (GetProcessHandleCount is a stub under Wine). */
    handles_after = process_handle_count();
    if (handles_before < 0 || handles_after < 0)
    {
        print_message("the system handle table is not available here, so handles cannot be counted\n");
        skip();
    }
    print_message("handles: %ld before, %ld with the region and two views, %ld after\n",
                  handles_before, handles_during, handles_after);
    assert_true(handles_during > handles_before); /* the section, lock and signal were counted */
    assert_int_equal(handles_after, handles_before);
}

static void test_close_unmaps_the_window_but_not_views(void **state)
{
    const WCHAR *name = unique_name(L"closewin");
    unsigned int before, after;
    ISharedRegion *r = create_region(name, 65536);
    ISharedView *v;

    assert_int_equal(ISharedRegion_MapView(r, 0, 16, missing(), &v), S_OK);
    mapped_bytes(&before);
    assert_int_equal(ISharedRegion_Close(r), S_OK);
    mapped_bytes(&after);
    assert_int_equal(after, before - 1);
    assert_true(section_exists(name));
    ISharedView_Release(v);
    assert_false(section_exists(name));
    ISharedRegion_Release(r);
}

static void test_can_unload_now_counts_regions_views_and_lock_server(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    IClassFactory *cf;
    ISharedView *v;

    assert_int_equal(server_can_unload_now(), S_FALSE);
    assert_int_equal(ISharedRegion_MapView(r, 0, 0, missing(), &v), S_OK);
    ISharedRegion_Release(r);
    assert_int_equal(server_can_unload_now(), S_FALSE); /* the view lives */
    ISharedView_Release(v);
    assert_int_equal(server_can_unload_now(), S_OK);

    assert_int_equal(CoGetClassObject(&CLSID_SharedRegion, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                                      (void **)&cf), S_OK);
    assert_int_equal(IClassFactory_LockServer(cf, TRUE), S_OK);
    IClassFactory_Release(cf);
    assert_int_equal(server_can_unload_now(), S_FALSE); /* LockServer(TRUE) */
    assert_int_equal(CoGetClassObject(&CLSID_SharedRegion, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                                      (void **)&cf), S_OK);
    assert_int_equal(IClassFactory_LockServer(cf, FALSE), S_OK);
    IClassFactory_Release(cf);
    assert_int_equal(server_can_unload_now(), S_OK);

    /* An unmatched LockServer(FALSE) cannot hide a live object from DllCanUnloadNow. */
    r = create_region(L"", 4096);
    assert_int_equal(CoGetClassObject(&CLSID_SharedRegion, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                                      (void **)&cf), S_OK);
    assert_int_equal(IClassFactory_LockServer(cf, FALSE), S_OK);
    assert_int_equal(IClassFactory_LockServer(cf, FALSE), S_OK);
    IClassFactory_Release(cf);
    assert_int_equal(server_can_unload_now(), S_FALSE);
    ISharedRegion_Release(r);
    assert_int_equal(server_can_unload_now(), S_OK);
}

static void test_free_unused_libraries_unloads_and_reload_works(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    VARIANT_BOOL got = VARIANT_FALSE;
    LONG i = 0;
    int tries;

    /* A Lock starts this thread's lock keeper, a thread running the DLL's code: DllCanUnloadNow
     * ends it, so the DLL still unloads. */
    assert_int_equal(ISharedRegion_Lock(r, 0, &got), S_OK);
    assert_int_equal(got, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_Unlock(r), S_OK);
    assert_non_null(GetModuleHandleW(L"sharedregion.dll"));
    CoFreeUnusedLibrariesEx(0, 0);
    assert_non_null(GetModuleHandleW(L"sharedregion.dll")); /* a live object keeps it */
    ISharedRegion_Release(r);
    for (tries = 0; tries < 50 && GetModuleHandleW(L"sharedregion.dll"); tries++)
    {
        CoFreeUnusedLibrariesEx(0, 0);
        if (GetModuleHandleW(L"sharedregion.dll")) Sleep(20);
    }
    assert_null(GetModuleHandleW(L"sharedregion.dll"));
    /* And it loads again, with a working type library cache. */
    r = create_region(L"", 4096);
    assert_non_null(GetModuleHandleW(L"sharedregion.dll"));
    assert_int_equal(disp_method(r, L"WriteInt32", NULL, 2, vnum(0), vnum(31337)), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(r, 0, &i), S_OK);
    assert_int_equal(i, 31337);
    ISharedRegion_Release(r);
}

static DWORD WINAPI wait_forever(void *arg)
{
    VARIANT_BOOL ok;
    ISharedRegion_WaitSignal((ISharedRegion *)arg, -1, &ok);
    return 0;
}

/* The child: open the region, map views, write, make more objects, then leave without releasing. */
static int child_main(const char *mode, const WCHAR *name)
{
    ISharedRegion *r, *anon, *waiter;
    ISharedView *v;
    HANDLE ready = ready_event(name);
    BSTR n = SysAllocString(name);

    if (FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED))) return 10;
    if (FAILED(CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&r)))
        return 11;
    if (FAILED(ISharedRegion_Open(r, n, missing()))) return 12;
    if (FAILED(ISharedRegion_MapView(r, 4096, 4096, missing(), &v))) return 13;
    if (FAILED(ISharedView_WriteInt32(v, 0, 0x600df00d))) return 14;
    if (FAILED(ISharedRegion_WriteInt32(r, 0, 0x0c0ffee0))) return 15;
    if (FAILED(CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&anon)))
        return 16;
    if (FAILED(ISharedRegion_Create(anon, NULL, 1 << 20, missing()))) return 17;
    if (FAILED(CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&waiter)))
        return 18;
    if (FAILED(ISharedRegion_Open(waiter, n, missing()))) return 19;
    {
        /* Hold the lock too: its keeper thread is alive when the process ends. */
        VARIANT_BOOL got = VARIANT_FALSE;
        if (FAILED(ISharedRegion_Lock(r, 5000, &got)) || !got) return 20;
    }
    SetEvent(ready);
    if (!strcmp(mode, "child-exit")) return 0;  /* return from main with every object alive */
    if (!strcmp(mode, "child-exit-waiting"))
    {
        /* Another thread is blocked inside the server (WaitSignal, no timeout) while the process exits. */
        HANDLE t = CreateThread(NULL, 0, wait_forever, waiter, 0, NULL);
        if (!t) return 21;
        Sleep(200);
        ExitProcess(0);
    }
    Sleep(INFINITE); /* child-hold: wait to be killed */
    return 0;
}

static void run_exit_case(const char *mode, BOOL kill)
{
    const WCHAR *name = unique_name(L"exit");
    ISharedRegion *r = create_region(name, 65536);
    HANDLE ready = ready_event(name), child;
    DWORD code = 12345, waited;
    LONG i = 0;

    child = start_child(mode, name);
    assert_int_equal(WaitForSingleObject(ready, 30000), WAIT_OBJECT_0);
    if (kill) assert_true(TerminateProcess(child, 77));
    waited = GetTickCount();
    assert_int_equal(WaitForSingleObject(child, 30000), WAIT_OBJECT_0);
    waited = GetTickCount() - waited;
    assert_true(GetExitCodeProcess(child, &code));
    assert_int_equal(code, kill ? 77 : 0);
    print_message("%s: child exited with %lu after %lu ms\n", mode, code, waited);
    /* The parent still holds the region, and keeps the child's data. */
    assert_int_equal(ISharedRegion_ReadInt32(r, 0, &i), S_OK);
    assert_int_equal(i, 0x0c0ffee0);
    assert_int_equal(ISharedRegion_ReadInt32(r, 4096, &i), S_OK);
    assert_int_equal(i, 0x600df00d);
    assert_true(section_exists(name));
    {
        /* The child ended holding the lock: it is abandoned, not held for ever. */
        VARIANT_BOOL got = VARIANT_FALSE;
        assert_int_equal(ISharedRegion_Lock(r, 10000, &got), S_OK);
        assert_int_equal(got, VARIANT_TRUE);
        assert_int_equal(ISharedRegion_Unlock(r), S_OK);
    }
    CloseHandle(child);
    CloseHandle(ready);
    ISharedRegion_Release(r);
    assert_false(section_exists(name));
}

static void test_process_exit_with_live_objects_does_not_hang_or_crash(void **state)
{
    run_exit_case("child-exit", FALSE);
}

static void test_process_exit_while_a_thread_waits_in_the_server(void **state)
{
    run_exit_case("child-exit-waiting", FALSE);
}

static void test_killed_process_leaves_the_data_to_the_others(void **state)
{
    run_exit_case("child-hold", TRUE);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_release_unmaps_views_and_closes_handles),
        cmocka_unit_test(test_close_unmaps_the_window_but_not_views),
        cmocka_unit_test(test_can_unload_now_counts_regions_views_and_lock_server),
        cmocka_unit_test(test_free_unused_libraries_unloads_and_reload_works),
        cmocka_unit_test(test_process_exit_with_live_objects_does_not_hang_or_crash),
        cmocka_unit_test(test_process_exit_while_a_thread_waits_in_the_server),
        cmocka_unit_test(test_killed_process_leaves_the_data_to_the_others),
    };
    if (argc == 3 && !strncmp(argv[1], "child-", 6))
    {
        WCHAR name[256];
        MultiByteToWideChar(CP_ACP, 0, argv[2], -1, name, ARRAY_SIZE(name));
        return child_main(argv[1], name);
    }
    return cmocka_run_group_tests_name("lifetime", tests, com_setup, com_teardown);
}
