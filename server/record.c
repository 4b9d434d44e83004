/*
 * SharedRegion server: the record object (ISharedRecord), a decoded struct read by field name.
 *
 * ReadRecord and ReadRecords (data.c) decode a named format into a record: its field names and
 * values, which the record owns from then on. A record is plain data: it holds nothing of the region
 * (no mapping, no span), never changes after it is made, and is safe on any thread.
 *
 * How a script reaches a field. IDispatch::GetIDsOfNames asks the type library first (Item, Count,
 * Names, Exists, ToJson, _NewEnum), then the field names, without case: field i is DISPID
 * RECORD_FIELD_BASE + i. So `rec.gas` is a property get of that DISPID, and `rec.wheelSlip(2)`, one
 * argument on a field that holds an array, is its element 2 (Wine's VBScript cannot index a call's
 * result in place, so the index goes in as an argument). A field named like a member is read through
 * Item. IDispatch::GetTypeInfo describes the fields (not the members) as read-only properties of a
 * type info built at run time by oleaut32 (ICreateTypeInfo), so that PowerShell's Get-Member and
 * Format-List list them; it is built on the first request and kept with the record.
 *
 * Who owns what: the record owns its names (one BSTR each), its values (VARIANTs) and its type info;
 * an enumerator (_NewEnum) holds a reference on its record.
 */
#include <wchar.h>
#include "private.h"

#define RECORD_FIELD_BASE 1000

struct record
{
    ISharedRecord ISharedRecord_iface;
    ISupportErrorInfo ISupportErrorInfo_iface;
    LONG ref;
    IUnknown *ftm;           /* free-threaded marshaler: immutable data is agile */
    ULONG count;
    BSTR *names;             /* count names, in format order */
    VARIANT *values;         /* count values */
    ITypeInfo *fields_ti;    /* the fields as properties; built on the first GetTypeInfo */
};

static inline struct record *impl_from_ISharedRecord(ISharedRecord *iface)
{
    return CONTAINING_RECORD(iface, struct record, ISharedRecord_iface);
}

static inline struct record *impl_from_ISupportErrorInfo(ISupportErrorInfo *iface)
{
    return CONTAINING_RECORD(iface, struct record, ISupportErrorInfo_iface);
}

static HRESULT WINAPI record_QueryInterface(ISharedRecord *iface, REFIID riid, void **out)
{
    struct record *This = impl_from_ISharedRecord(iface);

    if (!out) return E_POINTER;
    *out = NULL;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch) || IsEqualIID(riid, &IID_ISharedRecord))
        *out = &This->ISharedRecord_iface;
    else if (IsEqualIID(riid, &IID_ISupportErrorInfo))
        *out = &This->ISupportErrorInfo_iface;
    else if (IsEqualIID(riid, &IID_IMarshal) && This->ftm)
        return IUnknown_QueryInterface(This->ftm, riid, out);
    else
        return E_NOINTERFACE;
    IUnknown_AddRef((IUnknown *)*out);
    return S_OK;
}

static ULONG WINAPI record_AddRef(ISharedRecord *iface)
{
    return InterlockedIncrement(&impl_from_ISharedRecord(iface)->ref);
}

static void free_fields(ULONG count, BSTR *names, VARIANT *values)
{
    ULONG i;

    for (i = 0; i < count; i++)
    {
        if (names) SysFreeString(names[i]);
        if (values) VariantClear(&values[i]);
    }
    HeapFree(GetProcessHeap(), 0, names);
    HeapFree(GetProcessHeap(), 0, values);
}

static ULONG WINAPI record_Release(ISharedRecord *iface)
{
    struct record *This = impl_from_ISharedRecord(iface);
    ULONG ref = InterlockedDecrement(&This->ref);

    if (!ref)
    {
        free_fields(This->count, This->names, This->values);
        if (This->fields_ti) ITypeInfo_Release(This->fields_ti);
        if (This->ftm) IUnknown_Release(This->ftm);
        HeapFree(GetProcessHeap(), 0, This);
        module_release();
    }
    return ref;
}

/* ---- the fields by name ---- */

/* The field of that name (without case), or -1. */
static LONG field_index(const struct record *This, const WCHAR *name)
{
    ULONG i;

    if (!name) return -1;
    for (i = 0; i < This->count; i++)
        if (name_equal(This->names[i], name)) return (LONG)i;
    return -1;
}

/* "gas, brake, wheelSlip" (the first names, for messages). */
static void name_list(const struct record *This, WCHAR *buf, size_t size)
{
    size_t len = 0;
    ULONG i;

    buf[0] = 0;
    for (i = 0; i < This->count && len + 8 < size; i++)
        len += __mingw_snwprintf(buf + len, size - len, L"%ls%ls", i ? L", " : L"", This->names[i]);
    if (len + 8 >= size && size > 5) wcscpy(buf + size - 5, L"...");
}

/* Item's key: a name (a String) or a 0-based index (any number). */
static HRESULT field_of_key(const struct record *This, const VARIANT *key, LONG *index)
{
    WCHAR names[512];
    const VARIANT *k = arg_deref(key);
    VARIANT num;

    *index = -1;
    name_list(This, names, ARRAY_SIZE(names));
    if (k && (V_VT(k) & ~VT_BYREF) == VT_BSTR)
    {
        const WCHAR *s = (V_VT(k) & VT_BYREF) ? *V_BSTRREF(k) : V_BSTR(k);
        if ((*index = field_index(This, s)) >= 0) return S_OK;
        return sr_error(DISP_E_UNKNOWNNAME, &IID_ISharedRecord, L"Item: the record has no field \"%.100ls\"; its fields "
                        L"are %ls", s ? s : L"", names);
    }
    VariantInit(&num);
    if (!k || FAILED(VariantChangeType(&num, (VARIANT *)k, 0, VT_R8)))
        return sr_error(DISP_E_TYPEMISMATCH, &IID_ISharedRecord, L"Item: the key must be a field name or a 0-based "
                        L"index, not %ls; the fields are %ls", k ? vt_name(V_VT(k) & ~VT_BYREF) : L"a NULL reference",
                        names);
    if (!(V_R8(&num) >= 0 && V_R8(&num) < This->count && V_R8(&num) == (LONG)V_R8(&num)))
        return sr_error(DISP_E_BADINDEX, &IID_ISharedRecord, L"Item: index %.17g is not a field's index (0 to %ld); "
                        L"the fields are %ls", V_R8(&num), (LONG)This->count - 1, names);
    *index = (LONG)V_R8(&num);
    return S_OK;
}

/* ---- IDispatch: the members through the type library, the fields by their DISPIDs ---- */

static HRESULT WINAPI record_GetTypeInfoCount(ISharedRecord *iface, UINT *count)
{
    return disp_get_type_info_count(count);
}

/* The fields as read-only properties of a dispinterface, made by oleaut32. */
static HRESULT build_fields_typeinfo(const struct record *This, ITypeInfo **out)
{
    ICreateTypeLib2 *lib = NULL;
    ICreateTypeInfo *info = NULL;
    ITypeLib *stdole = NULL;
    ITypeInfo *dispatch = NULL;
    HREFTYPE href;
    HRESULT hr;
    ULONG i;

    *out = NULL;
    if (FAILED(hr = CreateTypeLib2(sizeof(void *) == 8 ? SYS_WIN64 : SYS_WIN32, L"SharedRecord", &lib))) goto done;
    if (FAILED(hr = ICreateTypeLib2_CreateTypeInfo(lib, (WCHAR *)L"SharedRecordFields", TKIND_DISPATCH, &info)))
        goto done;
    /* A dispinterface derives from IDispatch, as every one in a type library does. */
    if (SUCCEEDED(LoadTypeLib(L"stdole2.tlb", &stdole)) && SUCCEEDED(ITypeLib_GetTypeInfoOfGuid(stdole, &IID_IDispatch, &dispatch))
        && SUCCEEDED(ICreateTypeInfo_AddRefTypeInfo(info, dispatch, &href)))
        ICreateTypeInfo_AddImplType(info, 0, href);
    for (i = 0; i < This->count; i++)
    {
        FUNCDESC fd;
        memset(&fd, 0, sizeof(fd));
        fd.memid = RECORD_FIELD_BASE + i;
        fd.funckind = FUNC_DISPATCH;
        fd.invkind = INVOKE_PROPERTYGET;
        fd.callconv = CC_STDCALL;
        fd.elemdescFunc.tdesc.vt = VT_VARIANT;
        if (FAILED(hr = ICreateTypeInfo_AddFuncDesc(info, i, &fd))
            || FAILED(hr = ICreateTypeInfo_SetFuncAndParamNames(info, i, &This->names[i], 1)))
            goto done;
    }
    if (FAILED(hr = ICreateTypeInfo_LayOut(info))) goto done;
    hr = ICreateTypeInfo_QueryInterface(info, &IID_ITypeInfo, (void **)out);
done:
    if (dispatch) ITypeInfo_Release(dispatch);
    if (stdole) ITypeLib_Release(stdole);
    if (info) ICreateTypeInfo_Release(info);
    if (lib) ICreateTypeLib2_Release(lib);
    return hr;
}

static HRESULT WINAPI record_GetTypeInfo(ISharedRecord *iface, UINT index, LCID lcid, ITypeInfo **ti)
{
    struct record *This = impl_from_ISharedRecord(iface);
    ITypeInfo *made;
    HRESULT hr;

    if (!ti) return E_POINTER;
    *ti = NULL;
    if (index) return DISP_E_BADINDEX;
    if (!This->fields_ti)
    {
        if (FAILED(hr = build_fields_typeinfo(This, &made))) return hr;
        if (InterlockedCompareExchangePointer((void **)&This->fields_ti, made, NULL))
            ITypeInfo_Release(made); /* another thread built it first */
    }
    ITypeInfo_AddRef(This->fields_ti);
    *ti = This->fields_ti;
    return S_OK;
}

static HRESULT WINAPI record_GetIDsOfNames(ISharedRecord *iface, REFIID riid, LPOLESTR *names, UINT count, LCID lcid,
                                           DISPID *ids)
{
    struct record *This = impl_from_ISharedRecord(iface);
    HRESULT hr;
    LONG i;

    /* A field's name misses the member table, and a miss in the type info costs a script's read of
     * a field several times the read itself: a name the table does not have is a field's, when the
     * record has one, before the type info is asked. */
    if (IsEqualIID(riid, &IID_NULL) && names && ids && count == 1 && names[0]
        && get_id_of_member(ISharedRecord_tid, names[0], &ids[0]) == S_FALSE && (i = field_index(This, names[0])) >= 0)
    {
        ids[0] = RECORD_FIELD_BASE + i;
        return S_OK;
    }
    hr = get_ids_of_names(ISharedRecord_tid, names, count, ids);
    if (hr != DISP_E_UNKNOWNNAME || !names || !ids || count != 1 || ids[0] != DISPID_UNKNOWN) return hr;
    if ((i = field_index(This, names[0])) < 0) return DISP_E_UNKNOWNNAME;
    ids[0] = RECORD_FIELD_BASE + i;
    return S_OK;
}

/* A field by its DISPID: a property get (or a method call, as VBScript makes one) with no argument
 * gives the value; one argument indexes a field that holds an array. */
static HRESULT field_invoke(struct record *This, ULONG i, WORD flags, DISPPARAMS *params, VARIANT *result,
                            EXCEPINFO *excep)
{
    UINT n = params ? params->cArgs : 0;
    VARIANT copy;
    HRESULT hr;

    if (!(flags & (DISPATCH_PROPERTYGET | DISPATCH_METHOD)) || (params && params->cNamedArgs))
        hr = sr_error(DISP_E_MEMBERNOTFOUND, &IID_ISharedRecord, L"%ls: a record's field is read-only", This->names[i]);
    else if (n == 0)
        hr = result ? VariantCopy(result, &This->values[i]) : S_OK;
    else if (n == 1 && V_VT(&This->values[i]) == (VT_ARRAY | VT_VARIANT))
    {
        SAFEARRAY *sa = V_ARRAY(&This->values[i]);
        const VARIANT *k = arg_deref(&params->rgvarg[0]);
        VARIANT num;
        LONG at;
        VariantInit(&num);
        if (!k || FAILED(VariantChangeType(&num, (VARIANT *)k, 0, VT_R8)) || !(V_R8(&num) >= 0)
            || V_R8(&num) >= sa->rgsabound[0].cElements || V_R8(&num) != (LONG)V_R8(&num))
            hr = sr_error(DISP_E_BADINDEX, &IID_ISharedRecord, L"%ls: the index must be a whole number from 0 to %lu",
                          This->names[i], sa->rgsabound[0].cElements - 1);
        else
        {
            at = (LONG)V_R8(&num);
            VariantInit(&copy);
            if (SUCCEEDED(hr = SafeArrayGetElement(sa, &at, &copy)))
            {
                if (result) *result = copy;
                else VariantClear(&copy);
            }
        }
    }
    else
        hr = sr_error(DISP_E_BADPARAMCOUNT, &IID_ISharedRecord, L"%ls: a field takes no argument, or one index when it "
                      L"holds an array (%u given)", This->names[i], n);
    if (FAILED(hr) && excep)
    {
        memset(excep, 0, sizeof(*excep));
        excep->scode = hr;
        excep->bstrSource = SysAllocString(L"SharedRegion.Region");
        excep->bstrDescription = SysAllocString(L"");
        if (hr != E_OUTOFMEMORY)
        {
            IErrorInfo *info;
            if (GetErrorInfo(0, &info) == S_OK && info)
            {
                SysFreeString(excep->bstrDescription);
                IErrorInfo_GetDescription(info, &excep->bstrDescription);
                IErrorInfo_Release(info);
            }
        }
        return DISP_E_EXCEPTION;
    }
    return hr;
}

static HRESULT WINAPI record_get__NewEnum(ISharedRecord *iface, IUnknown **enumerator);

static HRESULT WINAPI record_Invoke(ISharedRecord *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                    DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *argerr)
{
    struct record *This = impl_from_ISharedRecord(iface);

    if (id >= RECORD_FIELD_BASE && (ULONG)(id - RECORD_FIELD_BASE) < This->count)
        return field_invoke(This, id - RECORD_FIELD_BASE, flags, params, result, excep);
    /* The enumerator, however it is asked for: JScript's Enumerator asks with DISPATCH_METHOD alone,
     * which the type library refuses for a property. */
    if (id == DISPID_NEWENUM && (flags & (DISPATCH_METHOD | DISPATCH_PROPERTYGET)) && (!params || !params->cArgs))
    {
        IUnknown *e;
        HRESULT hr = record_get__NewEnum(iface, &e);
        if (SUCCEEDED(hr) && result)
        {
            V_VT(result) = VT_UNKNOWN;
            V_UNKNOWN(result) = e;
        }
        else if (SUCCEEDED(hr)) IUnknown_Release(e);
        return hr;
    }
    return disp_invoke(ISharedRecord_tid, &IID_ISharedRecord, iface, NULL, id, flags, params, result, excep, argerr);
}

/* ---- the members ---- */

static HRESULT WINAPI record_get_Item(ISharedRecord *iface, VARIANT key, VARIANT *value)
{
    struct record *This = impl_from_ISharedRecord(iface);
    LONG i;
    HRESULT hr;

    if (!value) return sr_error(E_POINTER, &IID_ISharedRecord, L"Item: the result pointer is NULL");
    VariantInit(value);
    if (FAILED(hr = field_of_key(This, &key, &i))) return hr;
    return VariantCopy(value, &This->values[i]);
}

static HRESULT WINAPI record_get_Count(ISharedRecord *iface, LONG *count)
{
    if (!count) return sr_error(E_POINTER, &IID_ISharedRecord, L"Count: the result pointer is NULL");
    *count = (LONG)impl_from_ISharedRecord(iface)->count;
    return S_OK;
}

static HRESULT WINAPI record_get_Names(ISharedRecord *iface, VARIANT *names)
{
    struct record *This = impl_from_ISharedRecord(iface);
    SAFEARRAY *sa;
    VARIANT *items;
    HRESULT hr = S_OK;
    ULONG i;

    if (!names) return sr_error(E_POINTER, &IID_ISharedRecord, L"Names: the result pointer is NULL");
    VariantInit(names);
    if (!(sa = SafeArrayCreateVector(VT_VARIANT, 0, This->count)))
        return sr_error(E_OUTOFMEMORY, &IID_ISharedRecord, L"Names: out of memory");
    SafeArrayAccessData(sa, (void **)&items);
    for (i = 0; i < This->count && SUCCEEDED(hr); i++)
    {
        V_VT(&items[i]) = VT_BSTR;
        if (!(V_BSTR(&items[i]) = SysAllocString(This->names[i]))) hr = E_OUTOFMEMORY;
    }
    SafeArrayUnaccessData(sa);
    if (FAILED(hr))
    {
        SafeArrayDestroy(sa);
        return sr_error(hr, &IID_ISharedRecord, L"Names: out of memory");
    }
    V_VT(names) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(names) = sa;
    return S_OK;
}

static HRESULT WINAPI record_Exists(ISharedRecord *iface, BSTR key, VARIANT_BOOL *exists)
{
    if (!exists) return sr_error(E_POINTER, &IID_ISharedRecord, L"Exists: the result pointer is NULL");
    *exists = field_index(impl_from_ISharedRecord(iface), key) >= 0 ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

/* ---- _NewEnum: the names, one at a time (an enumerator holds a reference on its record) ---- */

struct record_enum
{
    IEnumVARIANT IEnumVARIANT_iface;
    LONG ref;
    struct record *record;
    ULONG pos;               /* guarded by nothing: an enumerator is used by one caller at a time */
};

static inline struct record_enum *impl_from_IEnumVARIANT(IEnumVARIANT *iface)
{
    return CONTAINING_RECORD(iface, struct record_enum, IEnumVARIANT_iface);
}

static HRESULT record_enum_create(struct record *record, ULONG pos, IEnumVARIANT **out);

static HRESULT WINAPI record_enum_QueryInterface(IEnumVARIANT *iface, REFIID riid, void **out)
{
    if (!out) return E_POINTER;
    *out = NULL;
    if (!IsEqualIID(riid, &IID_IUnknown) && !IsEqualIID(riid, &IID_IEnumVARIANT)) return E_NOINTERFACE;
    *out = iface;
    IEnumVARIANT_AddRef(iface);
    return S_OK;
}

static ULONG WINAPI record_enum_AddRef(IEnumVARIANT *iface)
{
    return InterlockedIncrement(&impl_from_IEnumVARIANT(iface)->ref);
}

static ULONG WINAPI record_enum_Release(IEnumVARIANT *iface)
{
    struct record_enum *This = impl_from_IEnumVARIANT(iface);
    ULONG ref = InterlockedDecrement(&This->ref);

    if (!ref)
    {
        ISharedRecord_Release(&This->record->ISharedRecord_iface);
        HeapFree(GetProcessHeap(), 0, This);
        module_release();
    }
    return ref;
}

static HRESULT WINAPI record_enum_Next(IEnumVARIANT *iface, ULONG celt, VARIANT *var, ULONG *fetched)
{
    struct record_enum *This = impl_from_IEnumVARIANT(iface);
    ULONG n = 0;

    if (!var && celt) return E_POINTER;
    for (; n < celt && This->pos < This->record->count; n++, This->pos++)
    {
        V_VT(&var[n]) = VT_BSTR;
        if (!(V_BSTR(&var[n]) = SysAllocString(This->record->names[This->pos])))
        {
            while (n) VariantClear(&var[--n]);
            if (fetched) *fetched = 0;
            return E_OUTOFMEMORY;
        }
    }
    if (fetched) *fetched = n;
    return n == celt ? S_OK : S_FALSE;
}

static HRESULT WINAPI record_enum_Skip(IEnumVARIANT *iface, ULONG celt)
{
    struct record_enum *This = impl_from_IEnumVARIANT(iface);
    ULONG left = This->record->count - This->pos;

    This->pos += celt < left ? celt : left;
    return celt <= left ? S_OK : S_FALSE;
}

static HRESULT WINAPI record_enum_Reset(IEnumVARIANT *iface)
{
    impl_from_IEnumVARIANT(iface)->pos = 0;
    return S_OK;
}

static HRESULT WINAPI record_enum_Clone(IEnumVARIANT *iface, IEnumVARIANT **out)
{
    struct record_enum *This = impl_from_IEnumVARIANT(iface);

    if (!out) return E_POINTER;
    return record_enum_create(This->record, This->pos, out);
}

static const IEnumVARIANTVtbl record_enum_vtbl =
{
    record_enum_QueryInterface,
    record_enum_AddRef,
    record_enum_Release,
    record_enum_Next,
    record_enum_Skip,
    record_enum_Reset,
    record_enum_Clone,
};

static HRESULT record_enum_create(struct record *record, ULONG pos, IEnumVARIANT **out)
{
    struct record_enum *e;

    *out = NULL;
    if (!(e = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*e)))) return E_OUTOFMEMORY;
    e->IEnumVARIANT_iface.lpVtbl = &record_enum_vtbl;
    e->ref = 1;
    e->record = record;
    e->pos = pos;
    ISharedRecord_AddRef(&record->ISharedRecord_iface);
    module_addref();
    *out = &e->IEnumVARIANT_iface;
    return S_OK;
}

static HRESULT WINAPI record_get__NewEnum(ISharedRecord *iface, IUnknown **enumerator)
{
    IEnumVARIANT *e;
    HRESULT hr;

    if (!enumerator) return sr_error(E_POINTER, &IID_ISharedRecord, L"_NewEnum: the result pointer is NULL");
    *enumerator = NULL;
    if (FAILED(hr = record_enum_create(impl_from_ISharedRecord(iface), 0, &e)))
        return sr_error(hr, &IID_ISharedRecord, L"_NewEnum: out of memory");
    *enumerator = (IUnknown *)e;
    return S_OK;
}

/* ---- ToJson ---- */

struct text_buf { WCHAR *text; size_t len, cap; BOOL failed; };

static void put(struct text_buf *b, const WCHAR *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap)
    {
        size_t cap = b->cap ? b->cap * 2 : 256;
        WCHAR *grown;
        while (cap < b->len + n + 1) cap *= 2;
        grown = b->text ? HeapReAlloc(GetProcessHeap(), 0, b->text, cap * sizeof(WCHAR))
                        : HeapAlloc(GetProcessHeap(), 0, cap * sizeof(WCHAR));
        if (!grown)
        {
            b->failed = TRUE;
            return;
        }
        b->text = grown;
        b->cap = cap;
    }
    memcpy(b->text + b->len, s, n * sizeof(WCHAR));
    b->len += n;
    b->text[b->len] = 0;
}

static void put_str(struct text_buf *b, const WCHAR *s)
{
    put(b, s, wcslen(s));
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void put_json_string(struct text_buf *b, const WCHAR *s, UINT len)
{
    WCHAR esc[8];
    UINT i;

    put_str(b, L"\"");
    for (i = 0; i < len; i++)
    {
        WCHAR c = s[i];
        if (c == '"') put_str(b, L"\\\"");
        else if (c == '\\') put_str(b, L"\\\\");
        else if (c == '\n') put_str(b, L"\\n");
        else if (c == '\r') put_str(b, L"\\r");
        else if (c == '\t') put_str(b, L"\\t");
        else if (c < 0x20)
        {
            __mingw_snwprintf(esc, ARRAY_SIZE(esc), L"\\u%04x", c);
            put_str(b, esc);
        }
        else put(b, &c, 1);
    }
    put_str(b, L"\"");
}

static void put_json_value(struct text_buf *b, const VARIANT *v)
{
    WCHAR num[64];
    VARIANT text;
    int digits;

    switch (V_VT(v))
    {
    case VT_BSTR:
        put_json_string(b, V_BSTR(v) ? V_BSTR(v) : L"", SysStringLen(V_BSTR(v)));
        return;
    case VT_BOOL:
        put_str(b, V_BOOL(v) ? L"true" : L"false");
        return;
    case VT_R8:
        if (V_R8(v) != V_R8(v) || V_R8(v) - V_R8(v) != 0)
        {
            put_str(b, L"null"); /* NaN and infinities have no JSON number */
            return;
        }
        /* The shortest form that reads back as the same double. */
        for (digits = 15; digits <= 17; digits++)
        {
            __mingw_snwprintf(num, ARRAY_SIZE(num), L"%.*g", digits, V_R8(v));
            if (wcstod(num, NULL) == V_R8(v)) break;
        }
        put_str(b, num);
        return;
    case VT_ARRAY | VT_VARIANT:
    {
        VARIANT *items;
        ULONG i, n = V_ARRAY(v)->rgsabound[0].cElements;
        if (FAILED(SafeArrayAccessData(V_ARRAY(v), (void **)&items)))
        {
            b->failed = TRUE;
            return;
        }
        put_str(b, L"[");
        for (i = 0; i < n; i++)
        {
            if (i) put_str(b, L",");
            put_json_value(b, &items[i]);
        }
        put_str(b, L"]");
        SafeArrayUnaccessData(V_ARRAY(v));
        return;
    }
    default:
        /* Whole numbers of every other type (VT_I2, VT_I4, VT_UI1, an exact VT_DECIMAL beyond 2^53) are
         * written with all their digits. */
        VariantInit(&text);
        if (SUCCEEDED(VariantChangeTypeEx(&text, (VARIANT *)v, LOCALE_INVARIANT, 0, VT_BSTR)))
            put_str(b, V_BSTR(&text));
        else
            put_str(b, L"null");
        VariantClear(&text);
        return;
    }
}

static HRESULT WINAPI record_ToJson(ISharedRecord *iface, BSTR *json)
{
    struct record *This = impl_from_ISharedRecord(iface);
    struct text_buf b = { NULL, 0, 0, FALSE };
    ULONG i;

    if (!json) return sr_error(E_POINTER, &IID_ISharedRecord, L"ToJson: the result pointer is NULL");
    put_str(&b, L"{");
    for (i = 0; i < This->count; i++)
    {
        if (i) put_str(&b, L",");
        put_json_string(&b, This->names[i], SysStringLen(This->names[i]));
        put_str(&b, L":");
        put_json_value(&b, &This->values[i]);
    }
    put_str(&b, L"}");
    *json = b.failed ? NULL : SysAllocStringLen(b.text, b.len);
    HeapFree(GetProcessHeap(), 0, b.text);
    return *json ? S_OK : sr_error(E_OUTOFMEMORY, &IID_ISharedRecord, L"ToJson: out of memory");
}

static const ISharedRecordVtbl record_vtbl =
{
    record_QueryInterface,
    record_AddRef,
    record_Release,
    record_GetTypeInfoCount,
    record_GetTypeInfo,
    record_GetIDsOfNames,
    record_Invoke,
    record_get_Item,
    record_get_Count,
    record_get_Names,
    record_Exists,
    record_get__NewEnum,
    record_ToJson,
};

/* ---- ISupportErrorInfo ---- */

static HRESULT WINAPI record_sei_QueryInterface(ISupportErrorInfo *iface, REFIID riid, void **out)
{
    return record_QueryInterface(&impl_from_ISupportErrorInfo(iface)->ISharedRecord_iface, riid, out);
}

static ULONG WINAPI record_sei_AddRef(ISupportErrorInfo *iface)
{
    return record_AddRef(&impl_from_ISupportErrorInfo(iface)->ISharedRecord_iface);
}

static ULONG WINAPI record_sei_Release(ISupportErrorInfo *iface)
{
    return record_Release(&impl_from_ISupportErrorInfo(iface)->ISharedRecord_iface);
}

static HRESULT WINAPI record_sei_InterfaceSupportsErrorInfo(ISupportErrorInfo *iface, REFIID riid)
{
    return IsEqualIID(riid, &IID_ISharedRecord) ? S_OK : S_FALSE;
}

static const ISupportErrorInfoVtbl record_sei_vtbl =
{
    record_sei_QueryInterface,
    record_sei_AddRef,
    record_sei_Release,
    record_sei_InterfaceSupportsErrorInfo,
};

HRESULT record_create(ULONG count, BSTR *names, VARIANT *values, ISharedRecord **out)
{
    struct record *This;
    HRESULT hr;

    *out = NULL;
    if (!(This = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*This))))
    {
        free_fields(count, names, values);
        return E_OUTOFMEMORY;
    }
    This->ISharedRecord_iface.lpVtbl = &record_vtbl;
    This->ISupportErrorInfo_iface.lpVtbl = &record_sei_vtbl;
    This->ref = 1;
    This->count = count;
    This->names = names;
    This->values = values;
    module_addref();
    hr = CoCreateFreeThreadedMarshaler((IUnknown *)&This->ISharedRecord_iface, &This->ftm);
    if (SUCCEEDED(hr))
    {
        *out = &This->ISharedRecord_iface;
        return S_OK;
    }
    record_Release(&This->ISharedRecord_iface);
    return hr;
}
