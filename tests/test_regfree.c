/*
 * SharedRegion tests: registration-free activation. Runs in a Wine prefix where the DLL is NOT
 * registered (checked first), from build/regfree/, where sharedregion.dll sits beside its
 * side-by-side assembly manifest (SharedRegion.SxS.manifest) and the example application manifest,
 * all generated from the IDL at build time (reg/).
 *
 * Built twice from this file:
 *   test_regfree.exe           no manifest of its own: CoCreateInstance fails, then succeeds inside
 *                              an activation context made from example-app.exe.manifest
 *   test_regfree_embedded.exe  the example application manifest embedded as resource 1 (RT_MANIFEST):
 *                              CoCreateInstance and CreateObject-style ProgID lookup just work
 *
 * A check that this Wine's activation contexts cannot carry is skipped with the reason printed
 * ("SKIP: ..."), never passed.
 */
#include "common.h"

static WCHAR exe_dir[MAX_PATH];

static void init_exe_dir(void)
{
    WCHAR *slash;
    GetModuleFileNameW(NULL, exe_dir, ARRAY_SIZE(exe_dir));
    if ((slash = wcsrchr(exe_dir, '\\'))) *slash = 0;
}

/* The CLSID's registry key, formatted from the CLSID the IDL compiled into this program. */
static const WCHAR *our_clsid_key(void)
{
    static WCHAR key[64];
    WCHAR guid[40];
    StringFromGUID2(&CLSID_SharedRegion, guid, ARRAY_SIZE(guid));
    swprintf(key, ARRAY_SIZE(key), L"CLSID\\%ls", guid);
    return key;
}

static BOOL key_exists(HKEY root, const WCHAR *path)
{
    HKEY k;
    if (RegOpenKeyExW(root, path, 0, KEY_READ, &k)) return FALSE;
    RegCloseKey(k);
    return TRUE;
}

/* Exercise a region made without the registry: vtable and IDispatch, and the module it came from. */
static void use_region(ISharedRegion *r)
{
    WCHAR path[MAX_PATH], expect[MAX_PATH];
    VARIANT res;
    LONG v = 0;
    BSTR empty = SysAllocString(L"");
    HMODULE m;

    assert_int_equal(ISharedRegion_Create(r, empty, 4096, missing()), S_OK);
    SysFreeString(empty);
    assert_int_equal(ISharedRegion_WriteInt32(r, 101, -424242), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(r, 101, &v), S_OK);
    assert_int_equal(v, -424242);
    /* The scripting path: IDispatch by name, through the type library inside the DLL. */
    assert_int_equal(disp_method(r, L"ReadInt32", &res, 1, vnum(101)), S_OK);
    assert_int_equal(V_VT(&res), VT_I4);
    assert_int_equal(V_I4(&res), -424242);
    /* The DLL that serves it is the one beside the manifest. */
    m = GetModuleHandleW(L"sharedregion.dll");
    assert_non_null(m);
    GetModuleFileNameW(m, path, ARRAY_SIZE(path));
    swprintf(expect, ARRAY_SIZE(expect), L"%ls\\sharedregion.dll", exe_dir);
    if (_wcsicmp(path, expect)) fail_msg("served by %ls, expected %ls", path, expect);
}

/* CoCreateInstance failed although an activation context is active: if the context does carry the
 * class (its COM server redirection section has our CLSID), this COM does not consult activation
 * contexts: a gap of the platform, reported as a skip with the reason. Otherwise the manifests
 * are wrong: a failure. */
static void skip_or_fail_activation(HRESULT hr, const char *how)
{
    ACTCTX_SECTION_KEYED_DATA data;

    memset(&data, 0, sizeof(data));
    data.cbSize = sizeof(data);
    if (FindActCtxSectionGuid(0, NULL, ACTIVATION_CONTEXT_SECTION_COM_SERVER_REDIRECTION, &CLSID_SharedRegion, &data))
    {
        print_message("SKIP: registration-free activation (%s) -- the activation context carries the class, but "
                      "CoCreateInstance ignores it (hr %#lx): this platform's COM does not support it\n",
                      how, (unsigned long)hr);
        skip();
    }
    fail_msg("CoCreateInstance (%s) failed with %#lx and the activation context has no COM redirection for "
             "the CLSID: the manifests do not declare the class", how, (unsigned long)hr);
}

/* What CreateObject("SharedRegion.Region") does: ProgID to CLSID, then the object by IDispatch. In
 * an activation context the ProgID gives the comClass's generated alias GUID, not the CLSID itself
 * (as on Windows); COM maps the alias back to the class. */
static void create_by_progid(const WCHAR *progid)
{
    ISharedRegion *r = NULL;
    IDispatch *d = NULL;
    CLSID clsid;

    assert_int_equal(CLSIDFromProgID(progid, &clsid), S_OK);
    assert_int_equal(CoCreateInstance(&clsid, NULL, CLSCTX_INPROC_SERVER, &IID_IDispatch, (void **)&d), S_OK);
    assert_int_equal(IDispatch_QueryInterface(d, &IID_ISharedRegion, (void **)&r), S_OK);
    IDispatch_Release(d);
    use_region(r);
    ISharedRegion_Release(r);
}

static void test_not_registered_in_this_prefix(void **state)
{
    ISharedRegion *r = (ISharedRegion *)0xdead;
    CLSID clsid;

    assert_false(key_exists(HKEY_CLASSES_ROOT, our_clsid_key()));
    assert_false(key_exists(HKEY_LOCAL_MACHINE, L"Software\\Classes\\SharedRegion.Region"));
    assert_false(key_exists(HKEY_CURRENT_USER, L"Software\\Classes\\SharedRegion.Region"));
#ifndef REGFREE_EMBEDDED
    /* No manifest in force: COM cannot find the class at all. */
    assert_int_equal(CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&r),
                     REGDB_E_CLASSNOTREG);
    assert_null(r);
    assert_int_equal(CLSIDFromProgID(L"SharedRegion.Region", &clsid), CO_E_CLASSSTRING);
#else
    (void)r;
    (void)clsid;
#endif
}

#ifndef REGFREE_EMBEDDED
/* An activation context made from the example application manifest, with the assembly beside it. */
static void test_create_in_activation_context(void **state)
{
    WCHAR manifest[MAX_PATH];
    ACTCTXW ctx;
    ISharedRegion *r = NULL;
    ULONG_PTR cookie = 0;
    HANDLE actctx;
    HRESULT hr;

    swprintf(manifest, ARRAY_SIZE(manifest), L"%ls\\example-app.exe.manifest", exe_dir);
    memset(&ctx, 0, sizeof(ctx));
    ctx.cbSize = sizeof(ctx);
    ctx.dwFlags = ACTCTX_FLAG_ASSEMBLY_DIRECTORY_VALID;
    ctx.lpSource = manifest;
    ctx.lpAssemblyDirectory = exe_dir;
    actctx = CreateActCtxW(&ctx);
    if (actctx == INVALID_HANDLE_VALUE)
        fail_msg("CreateActCtx(%ls) failed with error %lu: the manifests do not resolve", manifest, GetLastError());
    assert_true(ActivateActCtx(actctx, &cookie));

    hr = CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&r);
    if (hr != S_OK)
    {
        DeactivateActCtx(0, cookie);
        ReleaseActCtx(actctx);
        skip_or_fail_activation(hr, "explicit activation context");
    }
    use_region(r);
    ISharedRegion_Release(r);

    /* Both ProgIDs resolve through the manifest's comClass (progid attribute and <progid> element). */
    create_by_progid(L"SharedRegion.Region.1");
    create_by_progid(L"SharedRegion.Region");

    assert_true(DeactivateActCtx(0, cookie));
    ReleaseActCtx(actctx);
    /* Outside the context the class is unknown again. */
    r = NULL;
    assert_int_equal(CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&r),
                     REGDB_E_CLASSNOTREG);
}

/* Does the assembly manifest beside the DLL declare a <typelib> with our LIBID? Read as text, apart
 * from the activation context: the control that tells a manifest without it (a bug of ours) from an
 * activation context that leaves a declared one out (a gap of the platform). */
static BOOL manifest_declares_typelib(void)
{
    WCHAR path[MAX_PATH], libid[40];
    char text[16384], want[64], *p;
    DWORD got = 0;
    HANDLE f;

    swprintf(path, ARRAY_SIZE(path), L"%ls\\SharedRegion.SxS.manifest", exe_dir);
    f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE) fail_msg("cannot read %ls (error %lu)", path, GetLastError());
    ReadFile(f, text, sizeof(text) - 1, &got, NULL);
    CloseHandle(f);
    text[got] = 0;
    CharUpperBuffA(text, got);
    StringFromGUID2(&LIBID_SharedRegionLib, libid, ARRAY_SIZE(libid));
    snprintf(want, sizeof(want), "TLBID=\"%ls\"", libid);
    for (p = text; (p = strstr(p, "<TYPELIB")); p++)
    {
        char *end = strchr(p, '>');
        if (end && (size_t)(end - p) > strlen(want))
        {
            char saved = *end;
            BOOL found;
            *end = 0;
            found = strstr(p, want) != NULL;
            *end = saved;
            if (found) return TRUE;
        }
    }
    return FALSE;
}

/* The type library through the manifest's <typelib> (LoadRegTypeLib consults the activation context). */
static void test_typelib_in_activation_context(void **state)
{
    WCHAR manifest[MAX_PATH];
    ACTCTXW ctx;
    ULONG_PTR cookie = 0;
    ITypeLib *tl = NULL;
    ITypeInfo *ti = NULL;
    ACTCTX_SECTION_KEYED_DATA data;
    BOOL redirected = FALSE;
    DWORD find_error = 0;
    HANDLE actctx;
    HRESULT hr;

    swprintf(manifest, ARRAY_SIZE(manifest), L"%ls\\example-app.exe.manifest", exe_dir);
    memset(&ctx, 0, sizeof(ctx));
    ctx.cbSize = sizeof(ctx);
    ctx.dwFlags = ACTCTX_FLAG_ASSEMBLY_DIRECTORY_VALID;
    ctx.lpSource = manifest;
    ctx.lpAssemblyDirectory = exe_dir;
    actctx = CreateActCtxW(&ctx);
    assert_true(actctx != INVALID_HANDLE_VALUE);
    assert_true(ActivateActCtx(actctx, &cookie));
    hr = LoadRegTypeLib(&LIBID_SharedRegionLib, 1, 0, LOCALE_NEUTRAL, &tl);
    if (hr == S_OK)
    {
        assert_int_equal(ITypeLib_GetTypeInfoOfGuid(tl, &IID_ISharedView, &ti), S_OK);
        ITypeInfo_Release(ti);
        ITypeLib_Release(tl);
    }
    else
    {
        /* Does the active context itself carry a type library redirection for the LIBID? */
        memset(&data, 0, sizeof(data));
        data.cbSize = sizeof(data);
        redirected = FindActCtxSectionGuid(0, NULL, ACTIVATION_CONTEXT_SECTION_COM_TYPE_LIBRARY_REDIRECTION,
                                           &LIBID_SharedRegionLib, &data);
        if (!redirected) find_error = GetLastError();
    }
    assert_true(DeactivateActCtx(0, cookie));
    ReleaseActCtx(actctx);
    if (hr == S_OK) return;
    if (redirected)
        fail_msg("LoadRegTypeLib failed with %#lx although the activation context redirects the type library "
                 "(its type library section has the LIBID): the manifest's <typelib> (version, helpdir, DLL) does "
                 "not match", (unsigned long)hr);
    if (!manifest_declares_typelib())
        fail_msg("LoadRegTypeLib failed with %#lx: SharedRegion.SxS.manifest declares no <typelib> with the LIBID",
                 (unsigned long)hr);
    print_message("SKIP: LoadRegTypeLib of the manifest's type library -- the assembly manifest declares the "
                  "<typelib>, but the activation context made from it has no type library redirection for the LIBID "
                  "(FindActCtxSectionGuid failed with error %lu), so LoadRegTypeLib cannot find it (hr %#lx)\n",
                  find_error, (unsigned long)hr);
    skip();
}
#else
/* The program's own (embedded) manifest is the process default context: nothing to activate. */
static void test_create_with_embedded_manifest(void **state)
{
    ISharedRegion *r = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&r);

    if (hr != S_OK) skip_or_fail_activation(hr, "embedded application manifest");
    use_region(r);
    ISharedRegion_Release(r);
    create_by_progid(L"SharedRegion.Region");
    create_by_progid(L"SharedRegion.Region.1");
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_registered_in_this_prefix),
#ifndef REGFREE_EMBEDDED
        cmocka_unit_test(test_create_in_activation_context),
        cmocka_unit_test(test_typelib_in_activation_context),
#else
        cmocka_unit_test(test_create_with_embedded_manifest),
#endif
    };
    init_exe_dir();
    return cmocka_run_group_tests_name("regfree", tests, com_setup, com_teardown);
}
