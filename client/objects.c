/*
 * The SharedRegion object as srclient uses it, through CoCreateInstance only: making one (with a
 * plain sentence when the server is not registered), opening a region by name, its name and size,
 * the VARIANT arguments its members take, and bytes moved through ReadBytes and WriteBytes.
 */
#include "srclient.h"

VARIANT v_missing(void)
{
    VARIANT v;
    V_VT(&v) = VT_ERROR;
    V_ERROR(&v) = DISP_E_PARAMNOTFOUND;
    return v;
}

VARIANT v_num(double d)
{
    VARIANT v;
    V_VT(&v) = VT_R8;
    V_R8(&v) = d;
    return v;
}

VARIANT v_bool(BOOL b)
{
    VARIANT v;
    V_VT(&v) = VT_BOOL;
    V_BOOL(&v) = b ? VARIANT_TRUE : VARIANT_FALSE;
    return v;
}

/* A borrowed-string VARIANT for an [in] argument: the BSTR is freed by the caller with VariantClear. */
VARIANT v_str(const WCHAR *s)
{
    VARIANT v;
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(s);
    return v;
}

static HRESULT new_region(ISharedRegion **r)
{
    return CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)r);
}

int create_object(const struct args *a, ISharedRegion **r)
{
    HRESULT hr = new_region(r);
    if (FAILED(hr))
    {
        if (hr == REGDB_E_CLASSNOTREG)
            err(L"srclient %ls: SharedRegion is not registered on this machine (run: regsvr32 sharedregion.dll)\n",
                a->cmd->name);
        else
            com_fail(a, hr, NULL, &IID_NULL, L"CoCreateInstance(SharedRegion)");
        return RC_FAIL;
    }
    return RC_OK;
}

/* Open an existing region by name; access 0 ReadWrite, 1 ReadOnly. */
int open_named(const struct args *a, const WCHAR *name, int access, ISharedRegion **out)
{
    ISharedRegion *r;
    BSTR b;
    HRESULT hr;
    int rc;

    *out = NULL;
    if ((rc = create_object(a, &r))) return rc;
    b = SysAllocString(name);
    hr = ISharedRegion_Open(r, b, access ? v_num(access) : v_missing());
    SysFreeString(b);
    if (FAILED(hr))
    {
        rc = REGION_FAIL(a, hr, r, L"Open");
        ISharedRegion_Release(r);
        return rc;
    }
    *out = r;
    return RC_OK;
}

BSTR region_name(ISharedRegion *r)
{
    BSTR n = NULL;
    if (FAILED(ISharedRegion_get_Name(r, &n)) || !n) n = SysAllocString(L"?");
    return n;
}

ULONGLONG region_size(ISharedRegion *r)
{
    double d = 0;
    ISharedRegion_get_Size(r, &d);
    return (ULONGLONG)d;
}

/* ---- bytes through ReadBytes / WriteBytes ---- */

/* A Byte() (VT_ARRAY | VT_UI1) holding a copy of n bytes; VariantClear frees it. */
static HRESULT make_byte_array(const BYTE *data, ULONG n, VARIANT *v)
{
    void *p;
    HRESULT hr;

    V_VT(v) = VT_ARRAY | VT_UI1;
    if (!(V_ARRAY(v) = SafeArrayCreateVector(VT_UI1, 0, n))) return E_OUTOFMEMORY;
    if (FAILED(hr = SafeArrayAccessData(V_ARRAY(v), &p)))
    {
        VariantClear(v);
        return hr;
    }
    memcpy(p, data, n);
    SafeArrayUnaccessData(V_ARRAY(v));
    return S_OK;
}

HRESULT write_bytes(ISharedRegion *r, ULONGLONG offset, const BYTE *data, ULONG n)
{
    VARIANT v;
    HRESULT hr;

    if (FAILED(hr = make_byte_array(data, n, &v))) return hr;
    hr = ISharedRegion_WriteBytes(r, (double)offset, v);
    VariantClear(&v);
    return hr;
}

HRESULT view_write_bytes(ISharedView *view, ULONGLONG offset, const BYTE *data, ULONG n)
{
    VARIANT v;
    HRESULT hr;

    if (FAILED(hr = make_byte_array(data, n, &v))) return hr;
    hr = ISharedView_WriteBytes(view, (double)offset, v);
    VariantClear(&v);
    return hr;
}

/* Read n bytes into buf. */
HRESULT read_bytes(ISharedRegion *r, ULONGLONG offset, ULONG n, BYTE *buf)
{
    VARIANT v;
    void *p;
    HRESULT hr;

    VariantInit(&v);
    if (FAILED(hr = ISharedRegion_ReadBytes(r, (double)offset, (double)n, &v))) return hr;
    if (V_VT(&v) != (VT_ARRAY | VT_UI1) || V_ARRAY(&v)->rgsabound[0].cElements != n)
        hr = E_UNEXPECTED;
    else if (SUCCEEDED(hr = SafeArrayAccessData(V_ARRAY(&v), &p)))
    {
        memcpy(buf, p, n);
        SafeArrayUnaccessData(V_ARRAY(&v));
    }
    VariantClear(&v);
    return hr;
}
