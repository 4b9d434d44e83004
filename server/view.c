/*
 * SharedRegion server: the view object (ISharedView, ISharedViewMemory).
 *
 * A view owns one span: a MapViewOfFile of exactly its range (the slack below the
 * allocation-granularity boundary is hidden) and a reference on the mapping, so it keeps
 * working after the region object is closed or released (lifetime rule 1). It also holds a
 * reference on the region object for its Region property. Unmap, or the last Release, unmaps.
 */
#include "private.h"

struct view
{
    ISharedView ISharedView_iface;
    ISharedViewMemory ISharedViewMemory_iface;
    ISupportErrorInfo ISupportErrorInfo_iface;
    LONG ref;
    IUnknown *ftm;
    struct sr_span span;
    ISharedRegion *region;
    ULONGLONG offset, size;
    DWORD access;
};

static inline struct view *impl_from_ISharedView(ISharedView *iface)
{
    return CONTAINING_RECORD(iface, struct view, ISharedView_iface);
}

static inline struct view *impl_from_ISharedViewMemory(ISharedViewMemory *iface)
{
    return CONTAINING_RECORD(iface, struct view, ISharedViewMemory_iface);
}

static inline struct view *impl_from_ISupportErrorInfo(ISupportErrorInfo *iface)
{
    return CONTAINING_RECORD(iface, struct view, ISupportErrorInfo_iface);
}

static HRESULT WINAPI view_QueryInterface(ISharedView *iface, REFIID riid, void **out)
{
    struct view *This = impl_from_ISharedView(iface);

    if (!out) return E_POINTER;
    *out = NULL;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch) || IsEqualIID(riid, &IID_ISharedData)
        || IsEqualIID(riid, &IID_ISharedView))
        *out = &This->ISharedView_iface;
    else if (IsEqualIID(riid, &IID_ISharedViewMemory))
        *out = &This->ISharedViewMemory_iface;
    else if (IsEqualIID(riid, &IID_ISupportErrorInfo))
        *out = &This->ISupportErrorInfo_iface;
    else if (IsEqualIID(riid, &IID_IMarshal) && This->ftm)
        return IUnknown_QueryInterface(This->ftm, riid, out);
    else
        return E_NOINTERFACE;
    IUnknown_AddRef((IUnknown *)*out);
    return S_OK;
}

static ULONG WINAPI view_AddRef(ISharedView *iface)
{
    struct view *This = impl_from_ISharedView(iface);
    ULONG ref = InterlockedIncrement(&This->ref);
    TRACE("%p ref %lu", This, ref);
    return ref;
}

static ULONG WINAPI view_Release(ISharedView *iface)
{
    struct view *This = impl_from_ISharedView(iface);
    ULONG ref = InterlockedDecrement(&This->ref);

    TRACE("%p ref %lu", This, ref);
    if (!ref)
    {
        span_unbind(&This->span);
        if (This->region) ISharedRegion_Release(This->region);
        if (This->ftm) IUnknown_Release(This->ftm);
        HeapFree(GetProcessHeap(), 0, This);
        module_release();
    }
    return ref;
}

static HRESULT WINAPI view_GetTypeInfoCount(ISharedView *iface, UINT *count)
{
    return disp_get_type_info_count(count);
}

static HRESULT WINAPI view_GetTypeInfo(ISharedView *iface, UINT index, LCID lcid, ITypeInfo **ti)
{
    return disp_get_type_info(ISharedView_tid, index, ti);
}

static HRESULT WINAPI view_GetIDsOfNames(ISharedView *iface, REFIID riid, LPOLESTR *names, UINT count,
                                         LCID lcid, DISPID *ids)
{
    if (!IsEqualIID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    return get_ids_of_names(ISharedView_tid, names, count, ids);
}

static HRESULT WINAPI view_Invoke(ISharedView *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                    DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *argerr)
{
    if (!IsEqualIID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    return disp_invoke(ISharedView_tid, &IID_ISharedView, iface, &impl_from_ISharedView(iface)->span, id, flags, params, result, excep, argerr);
}

/* A NULL result pointer from C: E_POINTER, with a description like every other failure. */
static HRESULT null_result(const WCHAR *property)
{
    return sr_error(E_POINTER, &IID_ISharedView, L"%ls: the result pointer is NULL", property);
}

static HRESULT WINAPI view_get_Offset(ISharedView *iface, double *offset)
{
    if (!offset) return null_result(L"Offset");
    *offset = (double)impl_from_ISharedView(iface)->offset;
    return S_OK;
}

static HRESULT WINAPI view_get_Size(ISharedView *iface, double *size)
{
    if (!size) return null_result(L"Size");
    *size = (double)impl_from_ISharedView(iface)->size;
    return S_OK;
}

static HRESULT WINAPI view_get_Access(ISharedView *iface, RegionAccess *access)
{
    if (!access) return null_result(L"Access");
    *access = (RegionAccess)impl_from_ISharedView(iface)->access;
    return S_OK;
}

static HRESULT WINAPI view_get_Region(ISharedView *iface, ISharedRegion **region)
{
    struct view *This = impl_from_ISharedView(iface);
    if (!region) return null_result(L"Region");
    *region = This->region;
    ISharedRegion_AddRef(*region);
    return S_OK;
}

static HRESULT WINAPI view_get_IsMapped(ISharedView *iface, VARIANT_BOOL *mapped)
{
    struct view *This = impl_from_ISharedView(iface);
    if (!mapped) return null_result(L"IsMapped");
    *mapped = InterlockedCompareExchangePointer((void **)&This->span.map, NULL, NULL) ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

/* The data members (ISharedData): one implementation each in data.c, on the view's span. */
static inline struct sr_span *view_span(ISharedView *iface)
{
    return &impl_from_ISharedView(iface)->span;
}
#define VIEW_DATA(name, func, params, args) SR_DATA_ENTRY(view, ISharedView, view_span, name, func, params, args)
SR_DATA_MEMBERS(VIEW_DATA)

static HRESULT WINAPI view_Unmap(ISharedView *iface)
{
    struct view *This = impl_from_ISharedView(iface);

    TRACE("%p", This);
    AcquireSRWLockExclusive(&This->span.lock);
    span_unbind(&This->span);
    ReleaseSRWLockExclusive(&This->span.lock);
    return S_OK;
}

#define VIEW_SLOT(name, func, params, args) SR_DATA_SLOT(view, name)
static const ISharedViewVtbl view_vtbl =
{
    .QueryInterface = view_QueryInterface,
    .AddRef = view_AddRef,
    .Release = view_Release,
    .GetTypeInfoCount = view_GetTypeInfoCount,
    .GetTypeInfo = view_GetTypeInfo,
    .GetIDsOfNames = view_GetIDsOfNames,
    .Invoke = view_Invoke,
    SR_DATA_MEMBERS(VIEW_SLOT)
    .get_Offset = view_get_Offset,
    .get_Size = view_get_Size,
    .get_Access = view_get_Access,
    .get_Region = view_get_Region,
    .get_IsMapped = view_get_IsMapped,
    .Unmap = view_Unmap,
};

/* ---- ISharedViewMemory: the zero-copy path for in-process C/C++ ---- */

static HRESULT WINAPI viewmem_QueryInterface(ISharedViewMemory *iface, REFIID riid, void **out)
{
    return view_QueryInterface(&impl_from_ISharedViewMemory(iface)->ISharedView_iface, riid, out);
}

static ULONG WINAPI viewmem_AddRef(ISharedViewMemory *iface)
{
    return view_AddRef(&impl_from_ISharedViewMemory(iface)->ISharedView_iface);
}

static ULONG WINAPI viewmem_Release(ISharedViewMemory *iface)
{
    return view_Release(&impl_from_ISharedViewMemory(iface)->ISharedView_iface);
}

static HRESULT WINAPI viewmem_GetAddress(ISharedViewMemory *iface, void **address, SIZE_T *size)
{
    struct view *This = impl_from_ISharedViewMemory(iface);
    HRESULT hr = S_OK;

    if (!address || !size)
    {
        if (address) *address = NULL;
        if (size) *size = 0;
        return sr_error(E_POINTER, &IID_ISharedView, L"GetAddress: address and size must not be NULL");
    }
    *address = NULL;
    *size = 0;
    AcquireSRWLockShared(&This->span.lock);
    if (!This->span.map) hr = span_closed_error(&This->span, L"GetAddress");
    else
    {
        *address = This->span.win;
        *size = (SIZE_T)This->span.size;
    }
    ReleaseSRWLockShared(&This->span.lock);
    return hr;
}

static const ISharedViewMemoryVtbl viewmem_vtbl =
{
    viewmem_QueryInterface,
    viewmem_AddRef,
    viewmem_Release,
    viewmem_GetAddress,
};

/* ---- ISupportErrorInfo ---- */

static HRESULT WINAPI view_sei_QueryInterface(ISupportErrorInfo *iface, REFIID riid, void **out)
{
    return view_QueryInterface(&impl_from_ISupportErrorInfo(iface)->ISharedView_iface, riid, out);
}

static ULONG WINAPI view_sei_AddRef(ISupportErrorInfo *iface)
{
    return view_AddRef(&impl_from_ISupportErrorInfo(iface)->ISharedView_iface);
}

static ULONG WINAPI view_sei_Release(ISupportErrorInfo *iface)
{
    return view_Release(&impl_from_ISupportErrorInfo(iface)->ISharedView_iface);
}

static HRESULT WINAPI view_sei_InterfaceSupportsErrorInfo(ISupportErrorInfo *iface, REFIID riid)
{
    /* GetAddress (ISharedViewMemory) sets error information too. */
    return IsEqualIID(riid, &IID_ISharedView) || IsEqualIID(riid, &IID_ISharedData)
           || IsEqualIID(riid, &IID_ISharedViewMemory) ? S_OK : S_FALSE;
}

static const ISupportErrorInfoVtbl view_sei_vtbl =
{
    view_sei_QueryInterface,
    view_sei_AddRef,
    view_sei_Release,
    view_sei_InterfaceSupportsErrorInfo,
};

HRESULT view_create(ISharedRegion *region, struct sr_mapping *map, ULONGLONG offset, ULONGLONG size,
                    DWORD access, ISharedView **out)
{
    struct view *This;
    HRESULT hr;

    *out = NULL;
    if (!(This = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*This))))
        return sr_error(E_OUTOFMEMORY, &IID_ISharedRegion, L"MapView: out of memory");
    This->ISharedView_iface.lpVtbl = &view_vtbl;
    This->ISharedViewMemory_iface.lpVtbl = &viewmem_vtbl;
    This->ISupportErrorInfo_iface.lpVtbl = &view_sei_vtbl;
    This->ref = 1;
    This->offset = offset;
    This->size = size;
    This->access = access;
    span_init(&This->span, SPAN_VIEW);
    module_addref();
    This->region = region;
    ISharedRegion_AddRef(region);

    if (FAILED(hr = CoCreateFreeThreadedMarshaler((IUnknown *)&This->ISharedView_iface, &This->ftm)))
        hr = sr_error(hr, &IID_ISharedRegion, L"MapView: cannot create the free-threaded marshaler");
    else
    {
        /* The error, if any, is reported against the method the caller called. */
        AcquireSRWLockExclusive(&This->span.lock);
        This->span.kind = SPAN_REGION;
        hr = span_bind(&This->span, L"MapView", map, offset, size, access, FALSE);
        This->span.kind = SPAN_VIEW;
        ReleaseSRWLockExclusive(&This->span.lock);
    }
    if (SUCCEEDED(hr))
    {
        *out = &This->ISharedView_iface;
        return S_OK;
    }
    view_Release(&This->ISharedView_iface);
    return hr;
}
