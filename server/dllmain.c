/*
 * SharedRegion server: DLL plumbing.
 *
 * DllMain, the exports, the class factory and the module count; nothing else (a script's call
 * reaches a member through dispatch.c).
 *
 * DllMain does nothing under the loader lock but DisableThreadLibraryCalls (and, on a real
 * unload, frees the type-info cache, the struct-format cache, the spare snapshot objects and
 * cached snapshot blocks, and the lock keepers' thread-local slot); on process exit it touches
 * nothing at all, because other DLLs may already be gone and the kernel reclaims every handle
 * and view anyway.
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
        snapshot_unload();
        keeper_unload();
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
    LONG ref;

    /* Spare snapshot objects keep the module references of the objects they were (snapshot.c):
     * they go first, so that only live objects, factory references and LockServer count. */
    snapshot_spares_free();
    ref = InterlockedCompareExchange(&module_ref, 0, 0);
    TRACE("module count %ld", ref);
    if (ref) return S_FALSE;
    /* No object is left, so no lock is held: the lock keepers' threads end now (mapping.c), and
     * nothing of ours runs when the caller unloads the DLL. No snapshot is left either: the
     * cached blocks of freed snapshots go back to the system. */
    keeper_stop_idle();
    snapshot_cache_free();
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
