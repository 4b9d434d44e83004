/*
 * SharedRegion server: rich error information, argument validation and tracing.
 * Every error a method returns is built here, so every message has the same shape:
 * "Method: what is wrong, with the values".
 */
#include <math.h>
#include <wchar.h>
#include "private.h"

/* ---- tracing ---- */

LONG sr_trace_state;

BOOL sr_trace_init(void)
{
    char value[8];
    DWORD n = GetEnvironmentVariableA("SHAREDREGION_TRACE", value, sizeof(value));
    BOOL on = n > 0 && n < sizeof(value) && value[0] != '0';
    InterlockedExchange(&sr_trace_state, on ? 2 : 1);
    return on;
}

void sr_trace_print(const char *func, const char *fmt, ...)
{
    char line[1024];
    int len;
    va_list ap;

    len = snprintf(line, sizeof(line), "sharedregion:%04lx:%s ", GetCurrentThreadId(), func);
    if (len < 0 || len >= (int)sizeof(line)) len = 0;
    va_start(ap, fmt);
    vsnprintf(line + len, sizeof(line) - len, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
    fflush(stderr);
}

/* ---- error information ---- */

static HRESULT set_error_info(HRESULT hr, REFIID iid, const WCHAR *text)
{
    ICreateErrorInfo *create;
    IErrorInfo *info;

    TRACE("hr %#lx: %ls", hr, text);
    if (FAILED(CreateErrorInfo(&create))) return hr;
    ICreateErrorInfo_SetGUID(create, iid);
    ICreateErrorInfo_SetSource(create, (WCHAR *)L"SharedRegion.Region");
    ICreateErrorInfo_SetDescription(create, (WCHAR *)text);
    if (SUCCEEDED(ICreateErrorInfo_QueryInterface(create, &IID_IErrorInfo, (void **)&info)))
    {
        SetErrorInfo(0, info);
        IErrorInfo_Release(info);
    }
    ICreateErrorInfo_Release(create);
    return hr;
}

HRESULT sr_error(HRESULT hr, REFIID iid, const WCHAR *fmt, ...)
{
    WCHAR text[2048];
    va_list ap;

    va_start(ap, fmt);
    __mingw_vsnwprintf(text, ARRAY_SIZE(text), fmt, ap);
    va_end(ap);
    text[ARRAY_SIZE(text) - 1] = 0;
    return set_error_info(hr, iid, text);
}

HRESULT sr_win32_error(DWORD err, REFIID iid, const WCHAR *fmt, ...)
{
    WCHAR text[2048], sys[512];
    size_t len;
    DWORD n;
    va_list ap;

    va_start(ap, fmt);
    __mingw_vsnwprintf(text, ARRAY_SIZE(text), fmt, ap);
    va_end(ap);
    text[ARRAY_SIZE(text) - 1] = 0;

    n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err,
                       0, sys, ARRAY_SIZE(sys), NULL);
    while (n && (sys[n - 1] == '\n' || sys[n - 1] == '\r' || sys[n - 1] == ' ' || sys[n - 1] == '.'))
        sys[--n] = 0;
    len = wcslen(text);
    if (n)
        __mingw_snwprintf(text + len, ARRAY_SIZE(text) - len, L": %ls (error %lu)", sys, err);
    else
        __mingw_snwprintf(text + len, ARRAY_SIZE(text) - len, L" (error %lu)", err);
    text[ARRAY_SIZE(text) - 1] = 0;
    return set_error_info(HRESULT_FROM_WIN32(err), iid, text);
}

/* ---- numbers ---- */

HRESULT arg_number(const WCHAR *method, const WCHAR *what, double value, REFIID iid, ULONGLONG *out)
{
    *out = 0;
    if (isnan(value))
        return sr_error(E_INVALIDARG, iid, L"%ls: %ls is NaN; it must be a whole number from 0 to 2^53",
                        method, what);
    if (isinf(value))
        return sr_error(E_INVALIDARG, iid, L"%ls: %ls is infinite; it must be a whole number from 0 to 2^53",
                        method, what);
    if (value < 0)
        return sr_error(E_INVALIDARG, iid, L"%ls: %ls %.17g is negative", method, what, value);
    if (value != floor(value))
        return sr_error(E_INVALIDARG, iid, L"%ls: %ls %.17g is not a whole number", method, what, value);
    if (value > SR_MAX_EXACT)
        return sr_error(E_INVALIDARG, iid, L"%ls: %ls %.17g is larger than 2^53, the largest exact number a script can pass",
                        method, what, value);
    *out = (ULONGLONG)value;
    return S_OK;
}

/* One level, as ITypeInfo_Invoke unwraps a variable: a NULL reference, or a reference to another
 * reference (which could refer to itself), is refused, never followed. */
const VARIANT *arg_deref(const VARIANT *v)
{
    if (V_VT(v) == (VT_BYREF | VT_VARIANT))
    {
        v = V_VARIANTREF(v);
        if (!v || V_VT(v) == (VT_BYREF | VT_VARIANT)) return NULL;
    }
    /* A by-reference value with a NULL pointer is refused here, before anything reads through it. */
    if ((V_VT(v) & VT_BYREF) && !(V_VT(v) & VT_ARRAY) && !V_BYREF(v)) return NULL;
    return v;
}

HRESULT arg_ref_error(const WCHAR *method, const WCHAR *what, REFIID iid)
{
    return sr_error(E_INVALIDARG, iid, L"%ls: %ls is a by-reference VARIANT that refers to nothing usable "
                    L"(a NULL reference, or a reference to another reference)", method, what);
}

BOOL arg_missing(const VARIANT *v)
{
    if (!(v = arg_deref(v))) return FALSE;
    return V_VT(v) == VT_EMPTY || (V_VT(v) == VT_ERROR && V_ERROR(v) == DISP_E_PARAMNOTFOUND);
}

const WCHAR *vt_name(VARTYPE vt)
{
    if (vt & VT_ARRAY) return L"an array";
    switch (vt & VT_TYPEMASK)
    {
    case VT_EMPTY: return L"Empty";
    case VT_NULL: return L"Null";
    case VT_BSTR: return L"a String";
    case VT_DISPATCH: case VT_UNKNOWN: return L"an Object";
    case VT_BOOL: return L"a Boolean";
    case VT_DATE: return L"a Date";
    case VT_ERROR: return L"an Error value";
    default: return L"a Number";
    }
}

/* Convert a (possibly by-reference) VARIANT to vt; the message names the method and argument. */
static HRESULT arg_convert(const WCHAR *method, const WCHAR *what, const VARIANT *v, VARTYPE vt,
                           const WCHAR *expected, REFIID iid, VARIANT *out)
{
    const VARIANT *d = arg_deref(v);
    HRESULT hr;

    VariantInit(out);
    if (!d) return arg_ref_error(method, what, iid);
    hr = VariantChangeType(out, (VARIANT *)d, 0, vt);
    if (FAILED(hr))
    {
        return sr_error(hr == DISP_E_OVERFLOW ? E_INVALIDARG : DISP_E_TYPEMISMATCH, iid,
                        L"%ls: %ls must be %ls, not %ls", method, what, expected, vt_name(V_VT(d) & ~VT_BYREF));
    }
    return S_OK;
}

HRESULT arg_opt_number(const WCHAR *method, const WCHAR *what, const VARIANT *v, ULONGLONG def,
                       REFIID iid, ULONGLONG *out)
{
    VARIANT num;
    HRESULT hr;

    *out = def;
    if (arg_missing(v)) return S_OK;
    if (FAILED(hr = arg_convert(method, what, v, VT_R8, L"a number", iid, &num))) return hr;
    return arg_number(method, what, V_R8(&num), iid, out);
}

HRESULT arg_opt_access(const WCHAR *method, const VARIANT *v, DWORD def, REFIID iid, DWORD *out)
{
    VARIANT num;
    HRESULT hr;

    const VARIANT *d;
    DWORD i;

    *out = def;
    if (arg_missing(v)) return S_OK;
    /* The RegionAccess names, any case, as well as the numbers. */
    if ((d = arg_deref(v)) && (V_VT(d) & ~VT_BYREF) == VT_BSTR)
    {
        const WCHAR *s = (V_VT(d) & VT_BYREF) ? *V_BSTRREF(d) : V_BSTR(d);
        VARIANT probe;
        for (i = 0; i <= 2; i++)
            if (s && !_wcsicmp(s, access_name(i)))
            {
                *out = i;
                return S_OK;
            }
        VariantInit(&probe);
        if (FAILED(VariantChangeType(&probe, (VARIANT *)d, 0, VT_R8)))
            return sr_error(E_INVALIDARG, iid, L"%ls: access \"%.40ls\" is not ReadWrite, ReadOnly or CopyOnWrite "
                            L"(or 0, 1, 2)", method, s ? s : L"");
    }
    if (FAILED(hr = arg_convert(method, L"access", v, VT_R8, L"0 (ReadWrite), 1 (ReadOnly) or 2 (CopyOnWrite)",
                                iid, &num)))
        return hr;
    if (V_R8(&num) != 0 && V_R8(&num) != 1 && V_R8(&num) != 2)
        return sr_error(E_INVALIDARG, iid, L"%ls: access %.17g is not 0 (ReadWrite), 1 (ReadOnly) or 2 (CopyOnWrite)",
                        method, V_R8(&num));
    *out = (DWORD)V_R8(&num);
    return S_OK;
}

HRESULT arg_opt_string(const WCHAR *method, const WCHAR *what, const VARIANT *v, REFIID iid, BSTR *out)
{
    VARIANT str;
    HRESULT hr;

    *out = NULL;
    if (arg_missing(v)) return S_OK;
    if (FAILED(hr = arg_convert(method, what, v, VT_BSTR, L"a string", iid, &str))) return hr;
    *out = V_BSTR(&str);
    return S_OK;
}

HRESULT arg_opt_bool(const WCHAR *method, const WCHAR *what, const VARIANT *v, BOOL def, REFIID iid,
                     BOOL *out)
{
    VARIANT b;
    HRESULT hr;

    *out = def;
    if (arg_missing(v)) return S_OK;
    if (FAILED(hr = arg_convert(method, what, v, VT_BOOL, L"True or False", iid, &b))) return hr;
    *out = V_BOOL(&b) != VARIANT_FALSE;
    return S_OK;
}

const WCHAR *access_name(DWORD access)
{
    switch (access)
    {
    case RegionReadWrite: return L"ReadWrite";
    case RegionReadOnly: return L"ReadOnly";
    case RegionCopyOnWrite: return L"CopyOnWrite";
    default: return L"?";
    }
}

WCHAR *sr_strdupW(const WCHAR *s)
{
    size_t n;
    WCHAR *d;

    if (!s) return NULL;
    n = (wcslen(s) + 1) * sizeof(WCHAR);
    if ((d = HeapAlloc(GetProcessHeap(), 0, n))) memcpy(d, s, n);
    return d;
}

HRESULT arg_no_nul(const WCHAR *method, const WCHAR *what, BSTR s, REFIID iid)
{
    if (s && SysStringLen(s) != wcslen(s))
        return sr_error(E_INVALIDARG, iid, L"%ls: the %ls contains a NUL character at position %Iu", method, what,
                        wcslen(s));
    return S_OK;
}
