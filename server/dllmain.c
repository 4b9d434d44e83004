/*
 * SharedRegion server: DLL plumbing.
 *
 * DllMain does nothing under the loader lock but DisableThreadLibraryCalls (and, on a real
 * unload, frees the type-info cache); on process exit it touches nothing at all, because
 * other DLLs may already be gone and the kernel reclaims every handle and view anyway.
 * The module count is changed only by module_addref/module_release: every object's create
 * and destroy, the class factory's references and LockServer. DllCanUnloadNow reads it.
 */
#include <stddef.h>
#include "private.h"

HINSTANCE sr_instance;
static LONG module_ref;

void module_addref(void)
{
    InterlockedIncrement(&module_ref);
}

void module_release(void)
{
    InterlockedDecrement(&module_ref);
}

/* ---- the type-info cache ---- */

static ITypeLib *typelib;
static ITypeInfo *typeinfos[LAST_tid];

static REFIID tid_ids[] = { &IID_ISharedRegion, &IID_ISharedView };

HRESULT module_path(WCHAR **out)
{
    DWORD size = MAX_PATH, len;
    WCHAR *path = NULL, *grown;

    /* GetModuleFileNameW truncates silently (it returns the buffer's size): grow until the path fits,
     * so that an install path longer than MAX_PATH is never cut short. */
    for (;;)
    {
        grown = path ? HeapReAlloc(GetProcessHeap(), 0, path, size * sizeof(WCHAR))
                     : HeapAlloc(GetProcessHeap(), 0, size * sizeof(WCHAR));
        if (!grown) break;
        path = grown;
        if (!(len = GetModuleFileNameW(sr_instance, path, size)))
        {
            HeapFree(GetProcessHeap(), 0, path);
            return HRESULT_FROM_WIN32(GetLastError());
        }
        if (len < size)
        {
            *out = path;
            return S_OK;
        }
        if (size >= 32768) break;
        size *= 2;
    }
    HeapFree(GetProcessHeap(), 0, path);
    return E_OUTOFMEMORY;
}

static HRESULT load_typelib(void)
{
    WCHAR *path;
    ITypeLib *tl;
    HRESULT hr;

    if (FAILED(hr = module_path(&path))) return hr;
    hr = LoadTypeLibEx(path, REGKIND_NONE, &tl);
    if (FAILED(hr) && wcslen(path) >= MAX_PATH)
    {
        /* Some oleaut32s read a type library only from a path of less than MAX_PATH characters: the
         * short (8.3) form of a long install path usually is one. */
        WCHAR short_path[MAX_PATH];
        DWORD len = GetShortPathNameW(path, short_path, ARRAY_SIZE(short_path));
        if (len && len < ARRAY_SIZE(short_path)) hr = LoadTypeLibEx(short_path, REGKIND_NONE, &tl);
    }
    HeapFree(GetProcessHeap(), 0, path);
    if (FAILED(hr)) return hr;
    if (InterlockedCompareExchangePointer((void **)&typelib, tl, NULL))
        ITypeLib_Release(tl); /* another thread loaded it first */
    return S_OK;
}

/* The cached type info; the reference stays with the cache (callers do not release it). */
HRESULT get_typeinfo(sr_tid_t tid, ITypeInfo **ret)
{
    HRESULT hr;

    if (!typelib && FAILED(hr = load_typelib())) return hr;
    if (!typeinfos[tid])
    {
        ITypeInfo *ti;
        if (FAILED(hr = ITypeLib_GetTypeInfoOfGuid(typelib, tid_ids[tid], &ti))) return hr;
        if (InterlockedCompareExchangePointer((void **)&typeinfos[tid], ti, NULL)) ITypeInfo_Release(ti);
    }
    *ret = typeinfos[tid];
    return S_OK;
}

/* Member names to DISPIDs, one table per interface, built once from the type info. Scripts look
 * a name up before every call, and the type library's own lookup compares names one by one. */
struct name_table
{
    UINT count;
    struct { WCHAR name[32]; DISPID id; } entry[1];
};
static struct name_table *name_tables[LAST_tid];

static struct name_table *build_name_table(ITypeInfo *ti)
{
    struct name_table *table = NULL;
    TYPEATTR *attr;
    UINT i;

    if (FAILED(ITypeInfo_GetTypeAttr(ti, &attr))) return NULL;
    if (attr->cFuncs)
        table = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY,
                          offsetof(struct name_table, entry[attr->cFuncs]));
    for (i = 0; table && i < attr->cFuncs; i++)
    {
        FUNCDESC *func;
        BSTR name = NULL;
        if (FAILED(ITypeInfo_GetFuncDesc(ti, i, &func))) continue;
        if (SUCCEEDED(ITypeInfo_GetDocumentation(ti, func->memid, &name, NULL, NULL, NULL)) && name
            && SysStringLen(name) < ARRAY_SIZE(table->entry[0].name))
        {
            lstrcpynW(table->entry[table->count].name, name, ARRAY_SIZE(table->entry[0].name));
            table->entry[table->count++].id = func->memid;
        }
        SysFreeString(name);
        ITypeInfo_ReleaseFuncDesc(ti, func);
    }
    ITypeInfo_ReleaseTypeAttr(ti, attr);
    return table;
}

/* Member names are ASCII: compare them without a locale. */
static BOOL name_equal(const WCHAR *a, const WCHAR *b)
{
    for (;; a++, b++)
    {
        WCHAR x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a, y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;
        if (x != y) return FALSE;
        if (!x) return TRUE;
    }
}

HRESULT get_ids_of_names(sr_tid_t tid, LPOLESTR *names, UINT count, DISPID *ids)
{
    struct name_table *table;
    ITypeInfo *ti;
    HRESULT hr;
    UINT i;

    if (!names || !ids) return E_POINTER;
    if (FAILED(hr = get_typeinfo(tid, &ti))) return hr;
    if (!(table = InterlockedCompareExchangePointer((void **)&name_tables[tid], NULL, NULL))
        && (table = build_name_table(ti)))
    {
        struct name_table *had = InterlockedCompareExchangePointer((void **)&name_tables[tid], table, NULL);
        if (had)
        {
            HeapFree(GetProcessHeap(), 0, table); /* another thread built it first */
            table = had;
        }
    }
    /* One plain name is answered from the table; argument names and misses go to the type info. */
    if (table && count == 1 && names[0])
        for (i = 0; i < table->count; i++)
            if (name_equal(table->entry[i].name, names[0]))
            {
                ids[0] = table->entry[i].id;
                return S_OK;
            }
    return ITypeInfo_GetIDsOfNames(ti, names, count, ids);
}

static void release_typelib(void)
{
    unsigned int i;
    for (i = 0; i < ARRAY_SIZE(typeinfos); i++)
    {
        if (typeinfos[i]) ITypeInfo_Release(typeinfos[i]);
        HeapFree(GetProcessHeap(), 0, name_tables[i]);
    }
    if (typelib) ITypeLib_Release(typelib);
}

/* ---- IDispatch for both objects: thin functions over the cached type info ---- */

HRESULT disp_get_type_info_count(UINT *count)
{
    if (!count) return E_POINTER;
    *count = 1;
    return S_OK;
}

HRESULT disp_get_type_info(sr_tid_t tid, UINT index, ITypeInfo **ret)
{
    ITypeInfo *ti;

    if (!ret) return E_POINTER;
    *ret = NULL;
    if (index) return DISP_E_BADINDEX;
    if (FAILED(get_typeinfo(tid, &ti))) return TYPE_E_CANTLOADLIBRARY;
    ITypeInfo_AddRef(ti);
    *ret = ti;
    return S_OK;
}

HRESULT disp_invoke(sr_tid_t tid, REFIID iid, void *object, struct sr_span *span, DISPID id, WORD flags,
                    DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *argerr)
{
    ITypeInfo *ti;
    HRESULT hr;

    if ((hr = data_invoke_typed(span, id, flags, params, result)) == S_OK) return S_OK;
    if (FAILED(hr))
    {
        /* The member failed: the EXCEPINFO a script sees, from the error information it set. */
        IErrorInfo *info;
        if (excep)
        {
            memset(excep, 0, sizeof(*excep));
            excep->scode = hr;
            if (GetErrorInfo(0, &info) == S_OK && info)
            {
                IErrorInfo_GetSource(info, &excep->bstrSource);
                IErrorInfo_GetDescription(info, &excep->bstrDescription);
                IErrorInfo_GetHelpFile(info, &excep->bstrHelpFile);
                IErrorInfo_GetHelpContext(info, &excep->dwHelpContext);
                IErrorInfo_Release(info);
            }
        }
        return DISP_E_EXCEPTION;
    }
    if (FAILED(hr = get_typeinfo(tid, &ti))) return hr;
    return sr_dispatch_invoke(ti, tid, iid, object, id, flags, params, result, excep, argerr);
}

/* ---- the class factory (one static object; its references count in the module count) ---- */

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **out)
{
    if (!out) return E_POINTER;
    *out = NULL;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory))
    {
        *out = iface;
        IClassFactory_AddRef(iface);
        return S_OK;
    }
    return E_NOINTERFACE;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    module_addref();
    return 2;
}

static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    module_release();
    return 1;
}

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **out)
{
    TRACE("(%p, %s)", outer, "riid");
    if (!out) return E_POINTER;
    *out = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    return region_create(riid, out);
}

/* LockServer(TRUE) calls not yet matched; an unmatched LockServer(FALSE) is ignored, so that it can
 * never take the module count below the objects that are alive. */
static LONG server_locks;

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    LONG n;

    TRACE("(%d)", lock);
    if (lock)
    {
        InterlockedIncrement(&server_locks);
        module_addref();
        return S_OK;
    }
    do
        if (!(n = InterlockedCompareExchange(&server_locks, 0, 0))) return S_OK;
    while (InterlockedCompareExchange(&server_locks, n - 1, n) != n);
    module_release();
    return S_OK;
}

static const IClassFactoryVtbl factory_vtbl =
{
    factory_QueryInterface,
    factory_AddRef,
    factory_Release,
    factory_CreateInstance,
    factory_LockServer,
};

static IClassFactory region_factory = { &factory_vtbl };

/* ---- exports ---- */

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        sr_instance = instance;
        DisableThreadLibraryCalls(instance);
        break;
    case DLL_PROCESS_DETACH:
        if (reserved) break; /* process exit: touch nothing */
        release_typelib();    /* real unload: only our own caches */
        format_cache_free();
        break;
    }
    return TRUE;
}

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **out)
{
    if (!out) return E_POINTER;
    *out = NULL;
    if (!IsEqualCLSID(clsid, &CLSID_SharedRegion)) return CLASS_E_CLASSNOTAVAILABLE;
    return IClassFactory_QueryInterface(&region_factory, riid, out);
}

HRESULT WINAPI DllCanUnloadNow(void)
{
    LONG ref = InterlockedCompareExchange(&module_ref, 0, 0);
    TRACE("module count %ld", ref);
    if (ref) return S_FALSE;
    /* No object is left, so no lock is held: the lock keepers' threads end now (mapping.c), and
     * nothing of ours runs when the caller unloads the DLL. */
    keeper_stop_idle();
    return S_OK;
}

HRESULT WINAPI DllRegisterServer(void)
{
    return register_server(FALSE);
}

HRESULT WINAPI DllUnregisterServer(void)
{
    return unregister_server(FALSE);
}

/* regsvr32 /n /i:user sharedregion.dll registers for the current user only (no admin rights). */
HRESULT WINAPI DllInstall(BOOL install, const WCHAR *cmdline)
{
    BOOL per_user = cmdline && !_wcsicmp(cmdline, L"user");
    if (cmdline && *cmdline && !per_user) return E_INVALIDARG;
    return install ? register_server(per_user) : unregister_server(per_user);
}
