/*
 * SharedRegion server: the SharedRegion object (ISharedRegion).
 *
 * A region object owns one span (its data window) while open. Close unmaps the window and
 * drops the object's reference on the mapping; views it handed out hold references of their
 * own and stay valid. All state is guarded by span.lock: shared for data calls and
 * properties, exclusive for the binding calls and Close.
 */
#include <wchar.h>
#include "private.h"

struct region
{
    ISharedRegion ISharedRegion_iface;
    ISupportErrorInfo ISupportErrorInfo_iface;
    LONG ref;
    IUnknown *ftm;           /* free-threaded marshaler: the object is thread-safe and agile */
    struct sr_span span;     /* span.map != NULL while open */
    BSTR name;               /* kernel name, NULL when anonymous or closed */
    BSTR path;               /* OpenFile: full path */
    BOOL created;
    LONG lock_abandoned;
    /* The cross-process lock this object holds: see "The lock's rules" in sync.c. Guarded by
     * span.lock (exclusive); it is taken off under that lock and given back outside it. */
    struct sr_lock lock;
};

static inline struct region *impl_from_ISharedRegion(ISharedRegion *iface)
{
    return CONTAINING_RECORD(iface, struct region, ISharedRegion_iface);
}

static inline struct region *impl_from_ISupportErrorInfo(ISupportErrorInfo *iface)
{
    return CONTAINING_RECORD(iface, struct region, ISupportErrorInfo_iface);
}

static HRESULT WINAPI region_QueryInterface(ISharedRegion *iface, REFIID riid, void **out)
{
    struct region *This = impl_from_ISharedRegion(iface);

    if (!out) return E_POINTER;
    *out = NULL;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch) || IsEqualIID(riid, &IID_ISharedData)
        || IsEqualIID(riid, &IID_ISharedRegion))
        *out = &This->ISharedRegion_iface;
    else if (IsEqualIID(riid, &IID_ISupportErrorInfo))
        *out = &This->ISupportErrorInfo_iface;
    else if (IsEqualIID(riid, &IID_IMarshal) && This->ftm)
        return IUnknown_QueryInterface(This->ftm, riid, out);
    else
        return E_NOINTERFACE;
    IUnknown_AddRef((IUnknown *)*out);
    return S_OK;
}

static ULONG WINAPI region_AddRef(ISharedRegion *iface)
{
    struct region *This = impl_from_ISharedRegion(iface);
    ULONG ref = InterlockedIncrement(&This->ref);
    TRACE("%p ref %lu", This, ref);
    return ref;
}

/* Close and the final Release: unbind, and hand back in *held the lock the object held (to be
 * given back by the caller once it holds no lock of the object's: lock_give_back waits). */
static void region_unbind(struct region *This, struct sr_lock *held)
{
    *held = This->lock;
    memset(&This->lock, 0, sizeof(This->lock));
    span_unbind(&This->span);
    SysFreeString(This->name);
    SysFreeString(This->path);
    This->name = This->path = NULL;
    This->created = FALSE;
    InterlockedExchange(&This->lock_abandoned, 0);
}

static ULONG WINAPI region_Release(ISharedRegion *iface)
{
    struct region *This = impl_from_ISharedRegion(iface);
    ULONG ref = InterlockedDecrement(&This->ref);

    TRACE("%p ref %lu", This, ref);
    if (!ref)
    {
        struct sr_lock held;
        region_unbind(This, &held);
        lock_give_back(L"Release", &held);
        if (This->ftm) IUnknown_Release(This->ftm);
        HeapFree(GetProcessHeap(), 0, This);
        module_release();
    }
    return ref;
}

/* ---- IDispatch: thin functions over the cached type info ---- */

static HRESULT WINAPI region_GetTypeInfoCount(ISharedRegion *iface, UINT *count)
{
    return disp_get_type_info_count(count);
}

static HRESULT WINAPI region_GetTypeInfo(ISharedRegion *iface, UINT index, LCID lcid, ITypeInfo **ti)
{
    return disp_get_type_info(ISharedRegion_tid, index, ti);
}

static HRESULT WINAPI region_GetIDsOfNames(ISharedRegion *iface, REFIID riid, LPOLESTR *names, UINT count,
                                         LCID lcid, DISPID *ids)
{
    if (!IsEqualIID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    return get_ids_of_names(ISharedRegion_tid, names, count, ids);
}

static HRESULT WINAPI region_Invoke(ISharedRegion *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                    DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *argerr)
{
    if (!IsEqualIID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    return disp_invoke(ISharedRegion_tid, &IID_ISharedRegion, iface, &impl_from_ISharedRegion(iface)->span, id, flags, params, result, excep, argerr);
}

/* ---- binding ---- */

enum bind_kind { BIND_CREATE, BIND_OPEN, BIND_FILE };

static HRESULT region_bind(struct region *This, const struct sr_bind *bind, enum bind_kind kind, BOOL *created)
{
    struct sr_mapping *map = NULL;
    BOOL made = FALSE;
    HRESULT hr;

    AcquireSRWLockExclusive(&This->span.lock);
    if (This->span.map)
    {
        hr = sr_error(SR_E_ALREADYOPEN, &IID_ISharedRegion,
                      L"%ls: this object already has a region open (%ls); call Close first", bind->method,
                      This->name ? This->name : This->path ? This->path : L"anonymous");
        goto done;
    }
    switch (kind)
    {
    case BIND_CREATE: hr = mapping_create(bind, &map, &made); break;
    case BIND_OPEN:   hr = mapping_open(bind, &map); break;
    default:          hr = mapping_open_file(bind, &map); made = bind->new_file; break;
    }
    if (FAILED(hr)) goto done;
    if (FAILED(hr = span_bind(&This->span, bind->method, map, 0, map->size, bind->access, TRUE)))
    {
        mapping_discard_new_file(map); /* CreateFile leaves no file behind when it fails */
        goto done;
    }
    /* Hold the lock and signal objects while the region is bound, so that a Signal sent while
     * nobody waits is kept for the next WaitSignal. Best effort: a region whose creator's DACL
     * refuses them still opens, and Lock/Signal report the error when called. */
    mapping_sync_prefetch(map);
    This->name = bind->name ? SysAllocString(bind->name) : NULL;
    /* FilePath shows the path as it is written, without the \\?\ prefix the kernel calls get. */
    if (bind->path && !wcsncmp(bind->path, L"\\\\?\\UNC\\", 8))
    {
        if ((This->path = SysAllocStringLen(NULL, wcslen(bind->path) - 6)))
        {
            wcscpy(This->path, L"\\\\");
            wcscat(This->path, bind->path + 8);
        }
    }
    else if (bind->path)
        This->path = SysAllocString(wcsncmp(bind->path, L"\\\\?\\", 4) ? bind->path : bind->path + 4);
    else
        This->path = NULL;
    This->created = made;
    This->lock_abandoned = 0;
    if (created) *created = made;

done:
    ReleaseSRWLockExclusive(&This->span.lock);
    mapping_release(map); /* the span holds its own reference */
    TRACE("%ls -> %#lx", bind->method, hr);
    return hr;
}

static HRESULT create_common(struct region *This, const WCHAR *method, BSTR name, double size, VARIANT *sddl,
                             BOOL open_existing, BOOL *created)
{
    struct sr_bind bind = { .method = method };
    WCHAR *kname = NULL;
    BSTR sddl_str = NULL;
    ULONGLONG n;
    HRESULT hr;

    TRACE("%ls(%ls, %.17g)", method, name, size);
    if (FAILED(hr = arg_no_nul(method, L"name", name, &IID_ISharedRegion))) goto done;
    if (FAILED(hr = arg_number(method, L"size", size, &IID_ISharedRegion, &n))) goto done;
    if (!n)
    {
        hr = sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: size must be at least 1 byte", method);
        goto done;
    }
    if (FAILED(hr = normalize_name(method, name, FALSE, &kname))) goto done;
    if (open_existing && !kname)
    {
        hr = sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: an anonymous region cannot be opened; give a name", method);
        goto done;
    }
    if (FAILED(hr = arg_opt_string(method, L"sddl", sddl, &IID_ISharedRegion, &sddl_str))) goto done;
    if (FAILED(hr = arg_no_nul(method, L"sddl", sddl_str, &IID_ISharedRegion))) goto done;
    bind.name = kname;
    bind.size = n;
    bind.sddl = sddl_str;
    bind.access = RegionReadWrite;
    bind.open_existing = open_existing;
    hr = region_bind(This, &bind, BIND_CREATE, created);

done:
    HeapFree(GetProcessHeap(), 0, kname);
    SysFreeString(sddl_str);
    return hr;
}

static HRESULT WINAPI region_Create(ISharedRegion *iface, BSTR name, double size, VARIANT sddl)
{
    return create_common(impl_from_ISharedRegion(iface), L"Create", name, size, &sddl, FALSE, NULL);
}

static HRESULT WINAPI region_Open(ISharedRegion *iface, BSTR name, VARIANT access)
{
    struct region *This = impl_from_ISharedRegion(iface);
    struct sr_bind bind = { .method = L"Open" };
    WCHAR *kname = NULL;
    HRESULT hr;

    TRACE("(%ls)", name);
    if (FAILED(hr = arg_no_nul(bind.method, L"name", name, &IID_ISharedRegion))) goto done;
    if (FAILED(hr = arg_opt_access(bind.method, &access, RegionReadWrite, &IID_ISharedRegion, &bind.access))) goto done;
    if (FAILED(hr = normalize_name(bind.method, name, FALSE, &kname))) goto done;
    if (!kname)
    {
        hr = sr_error(E_INVALIDARG, &IID_ISharedRegion, L"Open: the name is empty; an anonymous region cannot be opened by name");
        goto done;
    }
    bind.name = kname;
    hr = region_bind(This, &bind, BIND_OPEN, NULL);

done:
    HeapFree(GetProcessHeap(), 0, kname);
    return hr;
}

static HRESULT WINAPI region_OpenOrCreate(ISharedRegion *iface, BSTR name, double size, VARIANT sddl,
                                          VARIANT_BOOL *created)
{
    BOOL made = FALSE;
    HRESULT hr;

    if (!created) return sr_error(E_POINTER, &IID_ISharedRegion, L"OpenOrCreate: the result pointer is NULL");
    *created = VARIANT_FALSE;
    hr = create_common(impl_from_ISharedRegion(iface), L"OpenOrCreate", name, size, &sddl, TRUE, &made);
    if (SUCCEEDED(hr)) *created = made ? VARIANT_TRUE : VARIANT_FALSE;
    return hr;
}

static HRESULT file_common(struct region *This, const WCHAR *method, BSTR path, VARIANT *size, VARIANT *access,
                           VARIANT *name, BOOL new_file)
{
    struct sr_bind bind = { .method = method, .new_file = new_file };
    WCHAR *kname = NULL, *full = NULL;
    BSTR name_str = NULL;
    HRESULT hr;

    TRACE("%ls(%ls)", method, path);
    if (!path || !*path)
    {
        hr = sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: the path is empty", method);
        goto done;
    }
    if (FAILED(hr = arg_no_nul(method, L"path", path, &IID_ISharedRegion))) goto done;
    if (FAILED(hr = arg_opt_number(method, L"size", size, 0, &IID_ISharedRegion, &bind.size))) goto done;
    if (new_file && !bind.size)
    {
        hr = sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: size must be at least 1 byte", method);
        goto done;
    }
    if (access && FAILED(hr = arg_opt_access(method, access, RegionReadWrite, &IID_ISharedRegion, &bind.access))) goto done;
    if (FAILED(hr = arg_opt_string(method, L"name", name, &IID_ISharedRegion, &name_str))) goto done;
    if (FAILED(hr = arg_no_nul(method, L"name", name_str, &IID_ISharedRegion))) goto done;
    if (FAILED(hr = normalize_name(method, name_str, FALSE, &kname))) goto done;
    if (FAILED(hr = file_path(method, path, &full))) goto done;
    bind.path = full;
    bind.name = kname;
    hr = region_bind(This, &bind, BIND_FILE, NULL);

done:
    HeapFree(GetProcessHeap(), 0, kname);
    HeapFree(GetProcessHeap(), 0, full);
    SysFreeString(name_str);
    return hr;
}

static HRESULT WINAPI region_OpenFile(ISharedRegion *iface, BSTR path, VARIANT size, VARIANT access, VARIANT name)
{
    return file_common(impl_from_ISharedRegion(iface), L"OpenFile", path, &size, &access, &name, FALSE);
}

static HRESULT WINAPI region_CreateFile(ISharedRegion *iface, BSTR path, double size, VARIANT name)
{
    VARIANT n;
    V_VT(&n) = VT_R8;
    V_R8(&n) = size;
    return file_common(impl_from_ISharedRegion(iface), L"CreateFile", path, &n, NULL, &name, TRUE);
}

static HRESULT WINAPI region_Close(ISharedRegion *iface)
{
    struct region *This = impl_from_ISharedRegion(iface);

    struct sr_lock held;

    TRACE("%p", This);
    AcquireSRWLockExclusive(&This->span.lock);
    region_unbind(This, &held);
    ReleaseSRWLockExclusive(&This->span.lock);
    lock_give_back(L"Close", &held);
    return S_OK;
}

/* ---- properties ---- */

/* A NULL result pointer from C: E_POINTER, with a description like every other failure. */
static HRESULT null_result(const WCHAR *property)
{
    return sr_error(E_POINTER, &IID_ISharedRegion, L"%ls: the result pointer is NULL", property);
}

static HRESULT get_string(const WCHAR *property, BSTR field, BSTR *out)
{
    if (!out) return null_result(property);
    *out = SysAllocString(field ? field : L"");
    return *out ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI region_get_Name(ISharedRegion *iface, BSTR *name)
{
    struct region *This = impl_from_ISharedRegion(iface);
    HRESULT hr;
    AcquireSRWLockShared(&This->span.lock);
    hr = get_string(L"Name", This->name, name);
    ReleaseSRWLockShared(&This->span.lock);
    return hr;
}

static HRESULT WINAPI region_get_Size(ISharedRegion *iface, double *size)
{
    struct region *This = impl_from_ISharedRegion(iface);
    if (!size) return null_result(L"Size");
    *size = (double)span_size(&This->span);
    return S_OK;
}

static HRESULT WINAPI region_get_Access(ISharedRegion *iface, RegionAccess *access)
{
    struct region *This = impl_from_ISharedRegion(iface);
    if (!access) return null_result(L"Access");
    *access = (RegionAccess)This->span.access;
    return S_OK;
}

static HRESULT WINAPI region_get_IsOpen(ISharedRegion *iface, VARIANT_BOOL *open)
{
    struct region *This = impl_from_ISharedRegion(iface);
    if (!open) return null_result(L"IsOpen");
    *open = InterlockedCompareExchangePointer((void **)&This->span.map, NULL, NULL) ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI region_get_Created(ISharedRegion *iface, VARIANT_BOOL *created)
{
    struct region *This = impl_from_ISharedRegion(iface);
    if (!created) return null_result(L"Created");
    AcquireSRWLockShared(&This->span.lock);
    *created = This->created ? VARIANT_TRUE : VARIANT_FALSE;
    ReleaseSRWLockShared(&This->span.lock);
    return S_OK;
}

static HRESULT WINAPI region_get_FilePath(ISharedRegion *iface, BSTR *path)
{
    struct region *This = impl_from_ISharedRegion(iface);
    HRESULT hr;
    AcquireSRWLockShared(&This->span.lock);
    hr = get_string(L"FilePath", This->path, path);
    ReleaseSRWLockShared(&This->span.lock);
    return hr;
}

static HRESULT WINAPI region_get_LockAbandoned(ISharedRegion *iface, VARIANT_BOOL *abandoned)
{
    struct region *This = impl_from_ISharedRegion(iface);
    if (!abandoned) return null_result(L"LockAbandoned");
    *abandoned = InterlockedCompareExchange(&This->lock_abandoned, 0, 0) ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

/* ---- data members: see data.c ---- */

/* The data members (ISharedData): one implementation each in data.c, on the region's span. */
static inline struct sr_span *region_span(ISharedRegion *iface)
{
    return &impl_from_ISharedRegion(iface)->span;
}
#define REGION_DATA(name, func, params, args) SR_DATA_ENTRY(region, ISharedRegion, region_span, name, func, params, args)
SR_DATA_MEMBERS(REGION_DATA)

static HRESULT WINAPI region_MapView(ISharedRegion *iface, double offset, double size, VARIANT access,
                                     ISharedView **view)
{
    static const WCHAR method[] = L"MapView";
    struct region *This = impl_from_ISharedRegion(iface);
    ULONGLONG off, n;
    DWORD acc;
    HRESULT hr, hr_access;

    if (!view) return sr_error(E_POINTER, &IID_ISharedRegion, L"%ls: the result pointer is NULL", method);
    *view = NULL;
    if (FAILED(hr = arg_number(method, L"offset", offset, &IID_ISharedRegion, &off))) return hr;
    if (FAILED(hr = arg_number(method, L"size", size, &IID_ISharedRegion, &n))) return hr;
    /* Converted before the lock: converting an object runs its code, which may call this object. */
    hr_access = arg_opt_access(method, &access, ~0u, &IID_ISharedRegion, &acc);

    AcquireSRWLockShared(&This->span.lock);
    if (!This->span.map)
    {
        hr = span_closed_error(&This->span, method);
        goto done;
    }
    if (FAILED(hr = hr_access)) goto done; /* its error information is already set */
    if (acc == ~0u) acc = This->span.access; /* left out: the region's own access */
    if (off >= This->span.size)
    {
        hr = sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: offset %I64u is at or past the end of the region (%I64u bytes)",
                      method, off, This->span.size);
        goto done;
    }
    if (!n) n = This->span.size - off;
    if (n > This->span.size - off)
    {
        hr = sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: offset %I64u + size %I64u is past the end of the region (%I64u bytes)",
                      method, off, n, This->span.size);
        goto done;
    }
    if (acc == RegionReadWrite && This->span.access != RegionReadWrite)
    {
        hr = sr_error(E_ACCESSDENIED, &IID_ISharedRegion, L"%ls: a %ls region cannot give a ReadWrite view",
                      method, access_name(This->span.access));
        goto done;
    }
    hr = view_create(iface, This->span.map, off, n, acc, view);

done:
    ReleaseSRWLockShared(&This->span.lock);
    TRACE("(%I64u, %I64u) -> %#lx", off, n, hr);
    return hr;
}

/* ---- lock and signal ---- */

/* Take a reference on the mapping's lock or signal object, so the wait runs without the span lock. */
static HRESULT sync_begin(struct region *This, const WCHAR *method, enum sr_need need, struct sr_mapping **map, HANDLE *h)
{
    HRESULT hr;

    *map = NULL;
    AcquireSRWLockShared(&This->span.lock);
    if (!This->span.map) hr = span_closed_error(&This->span, method);
    else if (SUCCEEDED(hr = mapping_sync_object(This->span.map, method, need, h)))
    {
        *map = This->span.map;
        mapping_addref(*map);
    }
    ReleaseSRWLockShared(&This->span.lock);
    return hr;
}

static HRESULT check_wait_args(const WCHAR *method, LONG timeout, VARIANT_BOOL *ok)
{
    if (!ok) return sr_error(E_POINTER, &IID_ISharedRegion, L"%ls: the result pointer is NULL", method);
    *ok = VARIANT_FALSE;
    if (timeout < -1)
        return sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: timeoutMs %ld is negative (use -1 to wait forever)",
                        method, timeout);
    return S_OK;
}

/* The lock's rules are stated once, at the top of sync.c; Lock, Unlock, Close and Release follow
 * them. */
static HRESULT WINAPI region_Lock(ISharedRegion *iface, LONG timeout, VARIANT_BOOL *acquired)
{
    static const WCHAR method[] = L"Lock";
    struct region *This = impl_from_ISharedRegion(iface);
    struct sr_mapping *map = NULL;
    struct sr_lock taken = { 0 };
    DWORD res = WAIT_OBJECT_0;
    HANDLE h;
    HRESULT hr;

    if (FAILED(hr = check_wait_args(method, timeout, acquired))) return hr;
    AcquireSRWLockExclusive(&This->span.lock);
    if (!This->span.map)
        hr = span_closed_error(&This->span, method);
    else if (This->lock.depth && This->lock.owner == GetCurrentThreadId())
    {
        This->lock.depth++;
        *acquired = VARIANT_TRUE;
    }
    else if (SUCCEEDED(hr = mapping_sync_object(This->span.map, method, NEED_LOCK, &h)))
    {
        map = This->span.map;
        mapping_addref(map);
    }
    ReleaseSRWLockExclusive(&This->span.lock);
    if (!map) goto done;

    if (FAILED(hr = lock_take(method, map, h, timeout == -1 ? INFINITE : (DWORD)timeout, &taken, &res))) goto done;
    if (!taken.depth) goto done; /* timed out */

    AcquireSRWLockExclusive(&This->span.lock);
    /* Closed, or bound elsewhere, while this call waited: nobody could Unlock it, so it goes back now.
     * (Another record cannot appear meanwhile: the mutex was not free for anyone else.) */
    if (This->span.map == map && !This->lock.depth)
    {
        This->lock = taken;
        memset(&taken, 0, sizeof(taken));
        *acquired = VARIANT_TRUE;
    }
    ReleaseSRWLockExclusive(&This->span.lock);
    if (taken.depth)
    {
        lock_give_back(method, &taken);
        hr = sr_error(SR_E_NOTOPEN, &IID_ISharedRegion,
                      L"Lock: the region was closed while Lock waited; the lock was given back");
    }

done:
    /* LockAbandoned describes the last Lock: one that timed out found nothing abandoned either. */
    if (SUCCEEDED(hr)) InterlockedExchange(&This->lock_abandoned, res == WAIT_ABANDONED);
    mapping_release(map);
    TRACE("Lock(%ld) -> %lu", timeout, res);
    return hr;
}

static HRESULT WINAPI region_Unlock(ISharedRegion *iface)
{
    struct region *This = impl_from_ISharedRegion(iface);
    struct sr_lock held = { 0 };
    HRESULT hr = S_OK;

    AcquireSRWLockExclusive(&This->span.lock);
    if (!This->lock.depth && !This->span.map)
        hr = span_closed_error(&This->span, L"Unlock");
    else if (!This->lock.depth)
        hr = sr_error(HRESULT_FROM_WIN32(ERROR_NOT_OWNER), &IID_ISharedRegion,
                      L"Unlock: this object does not hold the region's lock (Lock was not called on it, Lock timed "
                      L"out and returned False, or every Lock was already matched by Unlock)");
    else if (This->lock.depth > 1)
        This->lock.depth--;
    else
    {
        /* The last level: the record comes off here, and the mutex goes back outside the span's lock, so
         * that data calls never wait for the keeper. */
        held = This->lock;
        memset(&This->lock, 0, sizeof(This->lock));
    }
    ReleaseSRWLockExclusive(&This->span.lock);
    if (held.depth) hr = lock_give_back(L"Unlock", &held);
    return hr;
}

static HRESULT WINAPI region_Signal(ISharedRegion *iface)
{
    struct region *This = impl_from_ISharedRegion(iface);
    struct sr_mapping *map;
    HANDLE h;
    HRESULT hr;

    if (FAILED(hr = sync_begin(This, L"Signal", NEED_SET, &map, &h))) return hr;
    if (!SetEvent(h)) hr = sr_win32_error(GetLastError(), &IID_ISharedRegion, L"Signal: cannot set the region's signal event");
    mapping_release(map);
    return hr;
}

static HRESULT WINAPI region_WaitSignal(ISharedRegion *iface, LONG timeout, VARIANT_BOOL *signalled)
{
    struct region *This = impl_from_ISharedRegion(iface);
    struct sr_mapping *map;
    HANDLE h;
    DWORD res;
    HRESULT hr;

    if (FAILED(hr = check_wait_args(L"WaitSignal", timeout, signalled))) return hr;
    if (FAILED(hr = sync_begin(This, L"WaitSignal", NEED_WAIT, &map, &h))) return hr;
    res = sync_wait(h, timeout == -1 ? INFINITE : (DWORD)timeout);
    if (res == WAIT_OBJECT_0) *signalled = VARIANT_TRUE;
    else if (res == WAIT_FAILED) hr = sr_win32_error(GetLastError(), &IID_ISharedRegion, L"WaitSignal: waiting failed");
    mapping_release(map);
    TRACE("WaitSignal(%ld) -> %lu", timeout, res);
    return hr;
}

/* ---- foreign lock and signal objects ---- */

static HRESULT get_sync_name(struct region *This, const WCHAR *property, enum sr_sync which, BSTR *out)
{
    HRESULT hr;

    if (!out) return null_result(property);
    *out = NULL;
    AcquireSRWLockShared(&This->span.lock);
    hr = This->span.map ? mapping_get_sync_name(This->span.map, which, out) : get_string(property, NULL, out);
    ReleaseSRWLockShared(&This->span.lock);
    return hr;
}

static HRESULT put_sync_name(struct region *This, const WCHAR *property, enum sr_sync which, BSTR name)
{
    WCHAR *kname;
    HRESULT hr;

    if (FAILED(hr = arg_no_nul(property, L"name", name, &IID_ISharedRegion))) return hr;
    AcquireSRWLockShared(&This->span.lock);
    if (!This->span.map)
        hr = sr_error(SR_E_NOTOPEN, &IID_ISharedRegion,
                      L"%ls: the region is not open; open it first, then set %ls before the first %ls", property,
                      property, which == SYNC_LOCK ? L"Lock" : L"Signal or WaitSignal");
    else if (!name || !*name)
        hr = sr_error(E_INVALIDARG, &IID_ISharedRegion, L"%ls: the name is empty; give the kernel name of a %ls",
                      property, which == SYNC_LOCK ? L"mutex" : L"event");
    else if (SUCCEEDED(hr = normalize_name(property, name, TRUE, &kname)))
        hr = mapping_set_sync_name(This->span.map, property, which, kname);
    ReleaseSRWLockShared(&This->span.lock);
    return hr;
}

static HRESULT WINAPI region_get_LockName(ISharedRegion *iface, BSTR *name)
{
    return get_sync_name(impl_from_ISharedRegion(iface), L"LockName", SYNC_LOCK, name);
}

static HRESULT WINAPI region_put_LockName(ISharedRegion *iface, BSTR name)
{
    return put_sync_name(impl_from_ISharedRegion(iface), L"LockName", SYNC_LOCK, name);
}

static HRESULT WINAPI region_get_SignalName(ISharedRegion *iface, BSTR *name)
{
    return get_sync_name(impl_from_ISharedRegion(iface), L"SignalName", SYNC_SIGNAL, name);
}

static HRESULT WINAPI region_put_SignalName(ISharedRegion *iface, BSTR name)
{
    return put_sync_name(impl_from_ISharedRegion(iface), L"SignalName", SYNC_SIGNAL, name);
}

#define REGION_SLOT(name, func, params, args) SR_DATA_SLOT(region, name)
static const ISharedRegionVtbl region_vtbl =
{
    .QueryInterface = region_QueryInterface,
    .AddRef = region_AddRef,
    .Release = region_Release,
    .GetTypeInfoCount = region_GetTypeInfoCount,
    .GetTypeInfo = region_GetTypeInfo,
    .GetIDsOfNames = region_GetIDsOfNames,
    .Invoke = region_Invoke,
    SR_DATA_MEMBERS(REGION_SLOT)
    .get_Name = region_get_Name,
    .get_Size = region_get_Size,
    .get_Access = region_get_Access,
    .get_IsOpen = region_get_IsOpen,
    .get_Created = region_get_Created,
    .get_FilePath = region_get_FilePath,
    .get_LockAbandoned = region_get_LockAbandoned,
    .Create = region_Create,
    .Open = region_Open,
    .OpenOrCreate = region_OpenOrCreate,
    .OpenFile = region_OpenFile,
    .Close = region_Close,
    .MapView = region_MapView,
    .Lock = region_Lock,
    .Unlock = region_Unlock,
    .Signal = region_Signal,
    .WaitSignal = region_WaitSignal,
    .get_LockName = region_get_LockName,
    .put_LockName = region_put_LockName,
    .get_SignalName = region_get_SignalName,
    .put_SignalName = region_put_SignalName,
    .CreateFile = region_CreateFile,
};

/* ---- ISupportErrorInfo ---- */

static HRESULT WINAPI region_sei_QueryInterface(ISupportErrorInfo *iface, REFIID riid, void **out)
{
    return region_QueryInterface(&impl_from_ISupportErrorInfo(iface)->ISharedRegion_iface, riid, out);
}

static ULONG WINAPI region_sei_AddRef(ISupportErrorInfo *iface)
{
    return region_AddRef(&impl_from_ISupportErrorInfo(iface)->ISharedRegion_iface);
}

static ULONG WINAPI region_sei_Release(ISupportErrorInfo *iface)
{
    return region_Release(&impl_from_ISupportErrorInfo(iface)->ISharedRegion_iface);
}

static HRESULT WINAPI region_sei_InterfaceSupportsErrorInfo(ISupportErrorInfo *iface, REFIID riid)
{
    return IsEqualIID(riid, &IID_ISharedRegion) || IsEqualIID(riid, &IID_ISharedData) ? S_OK : S_FALSE;
}

static const ISupportErrorInfoVtbl region_sei_vtbl =
{
    region_sei_QueryInterface,
    region_sei_AddRef,
    region_sei_Release,
    region_sei_InterfaceSupportsErrorInfo,
};

HRESULT region_create(REFIID riid, void **out)
{
    struct region *This;
    HRESULT hr;

    *out = NULL;
    if (!(This = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*This)))) return E_OUTOFMEMORY;
    This->ISharedRegion_iface.lpVtbl = &region_vtbl;
    This->ISupportErrorInfo_iface.lpVtbl = &region_sei_vtbl;
    This->ref = 1;
    span_init(&This->span, SPAN_REGION);
    module_addref();
    hr = CoCreateFreeThreadedMarshaler((IUnknown *)&This->ISharedRegion_iface, &This->ftm);
    if (SUCCEEDED(hr)) hr = region_QueryInterface(&This->ISharedRegion_iface, riid, out);
    region_Release(&This->ISharedRegion_iface);
    TRACE("-> %p, %#lx", *out, hr);
    return hr;
}
