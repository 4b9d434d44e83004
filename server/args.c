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
    if (V_VT(v) != (VT_BYREF | VT_VARIANT)) return v;
    v = V_VARIANTREF(v);
    return v && V_VT(v) != (VT_BYREF | VT_VARIANT) ? v : NULL;
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
    if (!d)
        return sr_error(E_INVALIDARG, iid, L"%ls: %ls is a by-reference VARIANT that refers to nothing usable "
                        L"(a NULL reference, or a reference to another reference)", method, what);
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

    *out = def;
    if (arg_missing(v)) return S_OK;
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

/* ---- IDispatch failures that happen before the member runs ---- */

/* What an argument of type vt must be, in a script user's words. */
static const WCHAR *expected_type(VARTYPE vt)
{
    switch (vt)
    {
    case VT_R8: return L"a number";
    case VT_I4: return L"a whole number from -2147483648 to 2147483647";
    case VT_BSTR: return L"a string";
    case VT_BOOL: return L"True or False";
    default: return L"a value of the declared type";
    }
}

/* A VARIANT type an automation call may carry (with VT_ARRAY or VT_BYREF), looking through one
 * by-reference VARIANT. */
static BOOL valid_vt(const VARIANT *v)
{
    VARTYPE vt = V_VT(v), base = vt & VT_TYPEMASK;

    if (vt & ~(VT_TYPEMASK | VT_ARRAY | VT_BYREF)) return FALSE;
    if (vt == (VT_BYREF | VT_VARIANT)) return V_VARIANTREF(v) && V_VT(V_VARIANTREF(v)) != (VT_BYREF | VT_VARIANT)
                                              && valid_vt(V_VARIANTREF(v));
    if ((vt & VT_BYREF) && !V_BYREF(v)) return FALSE;
    switch (base)
    {
    case VT_EMPTY: case VT_NULL: return !(vt & (VT_ARRAY | VT_BYREF));
    case VT_I2: case VT_I4: case VT_R4: case VT_R8: case VT_CY: case VT_DATE: case VT_BSTR: case VT_DISPATCH:
    case VT_ERROR: case VT_BOOL: case VT_UNKNOWN: case VT_DECIMAL: case VT_I1: case VT_UI1: case VT_UI2: case VT_UI4:
    case VT_I8: case VT_UI8: case VT_INT: case VT_UINT: case VT_RECORD:
        return TRUE;
    case VT_VARIANT: return (vt & VT_ARRAY) != 0;
    default: return FALSE;
    }
}

/* How many arguments a member takes from a script: its parameters without the [retval] and, for a
 * property put, without the value (which comes as the named argument DISPID_PROPERTYPUT). */
static UINT script_params(const FUNCDESC *fd)
{
    UINT n = fd->cParams;
    if (n && (fd->lprgelemdescParam[n - 1].paramdesc.wParamFlags & PARAMFLAG_FRETVAL)) n--;
    if (fd->invkind & (INVOKE_PROPERTYPUT | INVOKE_PROPERTYPUTREF)) n = n ? n - 1 : 0;
    return n;
}

/* The declared name list "(a, b, c)" of a member's arguments. */
static void argument_list(BSTR *names, UINT count, WCHAR *buf, size_t size)
{
    size_t len = 0;
    UINT i;

    buf[0] = 0;
    for (i = 0; i < count && len + 4 < size; i++)
        len += __mingw_snwprintf(buf + len, size - len, L"%ls%ls", i ? L", " : L"(",
                                 names[i + 1] ? names[i + 1] : L"?");
    if (len + 2 < size) wcscpy(buf + len, count ? L")" : L"()");
}

static HRESULT sr_dispatch_error(ITypeInfo *ti, REFIID iid, DISPID id, WORD flags, DISPPARAMS *params, HRESULT hr,
                                 EXCEPINFO *excep, UINT *argerr)
{
    WCHAR text[1024], list[512];
    BSTR names[16] = { NULL };
    TYPEATTR *attr = NULL;
    FUNCDESC *fd = NULL, *any = NULL;
    UINT n_names = 0, formal, optional = 0, given, i;
    const WCHAR *member;

    if (FAILED(ITypeInfo_GetTypeAttr(ti, &attr))) return hr;
    /* The member with this DISPID that answers these flags; or, failing that, any member with it. */
    for (i = 0; i < attr->cFuncs && !fd; i++)
    {
        FUNCDESC *f;
        if (FAILED(ITypeInfo_GetFuncDesc(ti, i, &f))) continue;
        if (f->memid == id && (f->invkind & flags)) fd = f;
        else if (f->memid == id && !any) any = f;
        else ITypeInfo_ReleaseFuncDesc(ti, f);
    }
    ITypeInfo_ReleaseTypeAttr(ti, attr);
    if (fd && any) { ITypeInfo_ReleaseFuncDesc(ti, any); any = NULL; }
    if (!fd && !any) return hr; /* no such member: DISP_E_MEMBERNOTFOUND stays as it is, for hosts that probe */
    if (!fd) fd = any;
    ITypeInfo_GetNames(ti, id, names, ARRAY_SIZE(names), &n_names);
    member = n_names && names[0] ? names[0] : L"Invoke";
    /* A type library keeps one spelling per name for all its members ("Size" the property, "size" the
     * argument); every argument in the IDL starts with a lower-case letter. */
    for (i = 1; i < n_names && i < ARRAY_SIZE(names); i++)
        if (names[i] && names[i][0]) names[i][0] = towlower(names[i][0]);
    if (n_names && names[0] && names[0][0]) names[0][0] = towupper(names[0][0]); /* members: "Name" */

    formal = script_params(fd);
    for (i = 0; i < formal; i++)
        if (fd->lprgelemdescParam[i].paramdesc.wParamFlags & (PARAMFLAG_FOPT | PARAMFLAG_FHASDEFAULT)) optional++;
    if (formal + 1 > n_names) formal = n_names ? n_names - 1 : 0;
    argument_list(names, formal, list, ARRAY_SIZE(list));
    given = params ? params->cArgs : 0;

    if (fd == any)
    {
        if (fd->invkind == INVOKE_PROPERTYGET && (flags & (DISPATCH_PROPERTYPUT | DISPATCH_PROPERTYPUTREF)))
            __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: is a read-only property; it cannot be assigned", member);
        else
            __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: cannot be invoked with flags %#x; it is a %ls",
                              member, flags, fd->invkind == INVOKE_FUNC ? L"method" : L"property");
    }
    else if (params && params->cNamedArgs && hr != DISP_E_TYPEMISMATCH && hr != DISP_E_OVERFLOW)
    {
        /* The first named argument that is not a position after the positional ones. */
        DISPID named = params->rgdispidNamedArgs ? params->rgdispidNamedArgs[0] : -1;
        for (i = 0; params->rgdispidNamedArgs && i < params->cNamedArgs; i++)
        {
            DISPID n = params->rgdispidNamedArgs[i];
            if (n < (DISPID)(params->cArgs - params->cNamedArgs) || n >= (DISPID)formal) { named = n; break; }
        }
        __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: named argument %ld is not one of its arguments %ls",
                          member, named, list);
    }
    else if (hr == DISP_E_BADPARAMCOUNT || hr == DISP_E_PARAMNOTOPTIONAL || hr == DISP_E_NOTACOLLECTION)
    {
        if (!formal)
            __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: %u argument%ls given; it takes none", member,
                              given, given == 1 ? L"" : L"s");
        else if (optional)
            __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: %u argument%ls given; it takes %u to %u %ls", member,
                              given, given == 1 ? L"" : L"s", formal - optional, formal, list);
        else
            __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: %u argument%ls given; it takes %u %ls", member,
                              given, given == 1 ? L"" : L"s", formal, list);
    }
    else if (hr == DISP_E_BADVARTYPE && params)
    {
        for (i = 0; i < params->cArgs && valid_vt(&params->rgvarg[params->cArgs - 1 - i]); i++) ;
        if (argerr && i < params->cArgs) *argerr = params->cArgs - 1 - i;
        __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: argument %u (%ls) is not a valid VARIANT (type %#x)", member,
                          i + 1, i < formal && i + 1 < n_names && names[i + 1] ? names[i + 1] : L"?",
                          i < params->cArgs ? V_VT(&params->rgvarg[params->cArgs - 1 - i]) : 0);
    }
    else if (hr != DISP_E_TYPEMISMATCH && hr != DISP_E_OVERFLOW && hr != DISP_E_BADVARTYPE && hr != DISP_E_PARAMNOTFOUND)
        __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: cannot be invoked with flags %#x and %u argument%ls %ls "
                          L"(error %#lx)", member, flags, given, given == 1 ? L"" : L"s", list, hr);
    else
    {
        /* Which argument? The first that does not convert (what came in *argerr is the caller's, not an answer). */
        UINT bad = ~0u, first_object = ~0u;
        HRESULT why = hr;
        for (i = 0; bad == ~0u && params && i < params->cArgs - params->cNamedArgs && i < formal; i++)
        {
            VARTYPE vt = fd->lprgelemdescParam[i].tdesc.vt;
            const VARIANT *arg = &params->rgvarg[params->cArgs - 1 - i];
            VARIANT tmp;
            HRESULT conv;
            if (vt == VT_VARIANT || vt == VT_PTR || vt == VT_USERDEFINED) continue;
            if (V_VT(arg) == (VT_BYREF | VT_VARIANT) && V_VARIANTREF(arg)) arg = V_VARIANTREF(arg);
            if ((V_VT(arg) & VT_TYPEMASK) == VT_DISPATCH || (V_VT(arg) & VT_TYPEMASK) == VT_UNKNOWN)
            {
                /* Converting an object runs its code (its default member), which Invoke already did
                 * once: it is not run again just to word a message. If every other argument
                 * converts, the first object is the one Invoke refused. */
                if (first_object == ~0u) first_object = i;
                continue;
            }
            VariantInit(&tmp);
            conv = VariantChangeType(&tmp, (VARIANT *)arg, 0, vt);
            VariantClear(&tmp);
            if (FAILED(conv)) { bad = i; why = conv; }
        }
        if (bad == ~0u && first_object != ~0u) bad = first_object;
        if (bad == ~0u)
            __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: an argument %ls cannot be passed (error %#lx)",
                              member, list, hr);
        else
        {
            const VARIANT *v = &params->rgvarg[params->cArgs - 1 - bad];
            const WCHAR *arg = bad + 1 < n_names && names[bad + 1] ? names[bad + 1] : L"?";
            if (V_VT(v) == (VT_BYREF | VT_VARIANT) && V_VARIANTREF(v)) v = V_VARIANTREF(v); /* one level, as Invoke */
            if (argerr) *argerr = params->cArgs - 1 - bad;
            if (V_VT(v) == VT_ERROR && V_ERROR(v) == DISP_E_PARAMNOTFOUND)
                __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: argument %u (%ls) is missing; it is required",
                                  member, bad + 1, arg);
            else if (why == DISP_E_OVERFLOW)
                __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: argument %u (%ls) is out of range; it must be %ls",
                                  member, bad + 1, arg, expected_type(fd->lprgelemdescParam[bad].tdesc.vt));
            else
                __mingw_snwprintf(text, ARRAY_SIZE(text), L"%ls: argument %u (%ls) must be %ls, not %ls", member,
                                  bad + 1, arg, expected_type(fd->lprgelemdescParam[bad].tdesc.vt),
                                  arg_missing(v) ? L"missing" : vt_name(V_VT(v) & ~VT_BYREF));
        }
    }
    text[ARRAY_SIZE(text) - 1] = 0;
    ITypeInfo_ReleaseFuncDesc(ti, fd);
    for (i = 0; i < n_names && i < ARRAY_SIZE(names); i++) SysFreeString(names[i]);

    set_error_info(hr, iid, text);
    if (!excep) return hr;
    memset(excep, 0, sizeof(*excep));
    excep->scode = hr;
    excep->bstrSource = SysAllocString(L"SharedRegion.Region");
    excep->bstrDescription = SysAllocString(text);
    return DISP_E_EXCEPTION;
}

/* The most arguments each member takes, per interface, read once from the type info into static
 * storage (nothing to free when the DLL unloads). */
struct arg_limit
{
    DISPID id;
    WORD invkind;
    WORD min;                /* arguments up to the last required one */
    WORD max;
};

static struct
{
    INIT_ONCE once;
    UINT count;
    struct arg_limit limit[64];
} arg_limits[LAST_tid];

static BOOL CALLBACK load_arg_limits(INIT_ONCE *once, void *param, void **context)
{
    ITypeInfo *ti = ((void **)param)[0];
    sr_tid_t tid = (sr_tid_t)(INT_PTR)((void **)param)[1];
    TYPEATTR *attr;
    UINT i;

    if (FAILED(ITypeInfo_GetTypeAttr(ti, &attr))) return TRUE;
    for (i = 0; i < attr->cFuncs && arg_limits[tid].count < ARRAY_SIZE(arg_limits[tid].limit); i++)
    {
        struct arg_limit *l = &arg_limits[tid].limit[arg_limits[tid].count];
        FUNCDESC *fd;
        if (FAILED(ITypeInfo_GetFuncDesc(ti, i, &fd))) continue;
        l->id = fd->memid;
        l->invkind = fd->invkind;
        l->max = (WORD)script_params(fd);
        for (l->min = l->max; l->min; l->min--)
            if (!(fd->lprgelemdescParam[l->min - 1].paramdesc.wParamFlags & (PARAMFLAG_FOPT | PARAMFLAG_FHASDEFAULT)))
                break;
        arg_limits[tid].count++;
        ITypeInfo_ReleaseFuncDesc(ti, fd);
    }
    ITypeInfo_ReleaseTypeAttr(ti, attr);
    return TRUE;
}

/* Before the type library sees a call: refuse what some type libraries mishandle, and turn named
 * arguments into positional ones (missing where none is given), in `out`, backed by `storage`. */
static HRESULT dispatch_check(sr_tid_t tid, ITypeInfo *ti, REFIID iid, DISPID id, WORD flags, DISPPARAMS *params,
                              EXCEPINFO *excep, UINT *argerr, DISPPARAMS *out, VARIANT *storage, UINT size)
{
    void *param[2] = { ti, (void *)(INT_PTR)tid };
    UINT positional, i, k, count;

    if (!params || !params->cArgs || params->cNamedArgs > params->cArgs) return S_OK;
    if (params->cNamedArgs && !params->rgdispidNamedArgs) return S_OK;
    positional = params->cArgs - params->cNamedArgs;
    InitOnceExecuteOnce(&arg_limits[tid].once, load_arg_limits, param, NULL);
    for (i = 0; i < arg_limits[tid].count; i++)
    {
        const struct arg_limit *l = &arg_limits[tid].limit[i];
        if (l->id != id || !(l->invkind & flags)) continue;
        /* More arguments than the member takes: some type libraries drop the extra ones and run it. */
        if (positional > l->max) return sr_dispatch_error(ti, iid, id, flags, params, DISP_E_BADPARAMCOUNT, excep, argerr);
        /* Fewer than it requires: some type libraries copy (and keep) the VARIANT arguments before the
         * missing one, an object's reference with them. The answer is the type library's own. */
        if (!params->cNamedArgs && positional < l->min)
            return sr_dispatch_error(ti, iid, id, flags, params, DISP_E_BADPARAMCOUNT, excep, argerr);
        /* A VARIANT of no valid type: some type libraries fail on it after copying (and keeping) the others. */
        for (k = 0; k < params->cArgs; k++)
            if (!valid_vt(&params->rgvarg[k]))
                return sr_dispatch_error(ti, iid, id, flags, params, DISP_E_BADVARTYPE, excep, argerr);
        if (!params->cNamedArgs) return S_OK;
        /* A property put (LockName, SignalName): its value is the named argument DISPID_PROPERTYPUT,
         * which the type library takes as it is. */
        if ((l->invkind & (INVOKE_PROPERTYPUT | INVOKE_PROPERTYPUTREF)) && params->cNamedArgs == 1
            && params->rgdispidNamedArgs[0] == DISPID_PROPERTYPUT)
            return S_OK;
        /* A named argument is an argument's position, after the positional ones, given once. */
        count = positional;
        for (k = 0; k < params->cNamedArgs; k++)
        {
            DISPID n = params->rgdispidNamedArgs[k];
            UINT j;
            BOOL twice = FALSE;
            for (j = 0; j < k; j++) if (params->rgdispidNamedArgs[j] == n) twice = TRUE;
            if (n < (DISPID)positional || n >= (DISPID)l->max || (UINT)n >= size || twice)
            {
                if (argerr) *argerr = k;
                return sr_dispatch_error(ti, iid, id, flags, params, DISP_E_PARAMNOTFOUND, excep, argerr);
            }
            if ((UINT)n + 1 > count) count = n + 1;
        }
        /* Positional from here on: some type libraries keep a reference on a named argument that skips
         * an optional one. The copies are shallow; the caller still owns every argument. */
        for (k = 0; k < count; k++)
        {
            V_VT(&storage[k]) = VT_ERROR;
            V_ERROR(&storage[k]) = DISP_E_PARAMNOTFOUND;
        }
        for (k = 0; k < positional; k++) storage[count - 1 - k] = params->rgvarg[params->cArgs - 1 - k];
        for (k = 0; k < params->cNamedArgs; k++)
            storage[count - 1 - params->rgdispidNamedArgs[k]] = params->rgvarg[k];
        out->rgvarg = storage;
        out->cArgs = count;
        out->rgdispidNamedArgs = NULL;
        out->cNamedArgs = 0;
        return S_OK;
    }
    return S_OK;
}

HRESULT sr_dispatch_invoke(ITypeInfo *ti, sr_tid_t tid, REFIID iid, void *object, DISPID id, WORD flags,
                           DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *argerr)
{
    VARIANT storage[16];
    DISPPARAMS positional;
    DISPPARAMS *use = params;
    HRESULT hr;

    positional.rgvarg = NULL;
    if (FAILED(hr = dispatch_check(tid, ti, iid, id, flags, params, excep, argerr, &positional, storage,
                                   ARRAY_SIZE(storage))))
        return hr;
    if (positional.rgvarg) use = &positional;
    hr = ITypeInfo_Invoke(ti, object, id, flags, use, result, excep, argerr);
    /* Rejected by the type library before the member ran: describe it as the member would. */
    if (FAILED(hr) && hr != DISP_E_EXCEPTION)
        hr = sr_dispatch_error(ti, iid, id, flags, params, hr, excep, argerr);
    return hr;
}
