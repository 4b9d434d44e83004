/*
 * SharedRegion server: how a script's call reaches a member (IDispatch for every object).
 *
 * Each object's four IDispatch functions are one line each, over the functions here. A call goes
 * through four layers on its way to ITypeInfo_Invoke; each is a place where this server could drift
 * from what ITypeInfo_Invoke does on Windows, so each is small, says at its top what it adds and why,
 * and is tested against plain ITypeInfo_Invoke for the same call (tests/test_data.c):
 *   1. the name cache (get_ids_of_names): member names to DISPIDs from a table built once per
 *      interface, because scripts look a name up before every call;
 *   2. the typed fast path (data_invoke_typed): the data members scripts call in loops, called
 *      directly for the argument types scripts pass, with the values ITypeInfo_Invoke would give;
 *   3. argument rewriting (dispatch_check): surplus arguments, invalid VARIANT types and named
 *      arguments handled before the type library sees them, the same on every system;
 *   4. failure translation (sr_dispatch_error): a call the type library refuses before the member
 *      runs gets a sentence in the member's words.
 * Underneath, the type library itself: loaded lazily from the DLL's own path, its type infos cached
 * and published with InterlockedCompareExchangePointer, freed only on a real unload (DllMain).
 */
#include <stddef.h>
#include <wchar.h>
#include "private.h"

/* ---- the type-info cache ---- */

static ITypeLib *typelib;
static ITypeInfo *typeinfos[LAST_tid];

static REFIID tid_ids[] = { &IID_ISharedRegion, &IID_ISharedView, &IID_ISharedSnapshot, &IID_ISharedRecord };

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

/* ---- layer 1: the name cache ----
 *
 * Member names to DISPIDs, one table per interface, built once from the type info. Scripts look
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
BOOL name_equal(const WCHAR *a, const WCHAR *b)
{
    for (;; a++, b++)
    {
        WCHAR x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a, y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;
        if (x != y) return FALSE;
        if (!x) return TRUE;
    }
}

static HRESULT get_name_table(sr_tid_t tid, ITypeInfo **ti, struct name_table **out)
{
    struct name_table *table;
    HRESULT hr;

    if (FAILED(hr = get_typeinfo(tid, ti))) return hr;
    if (!(table = InterlockedCompareExchangePointer((void **)&name_tables[tid], NULL, NULL))
        && (table = build_name_table(*ti)))
    {
        struct name_table *had = InterlockedCompareExchangePointer((void **)&name_tables[tid], table, NULL);
        if (had)
        {
            HeapFree(GetProcessHeap(), 0, table); /* another thread built it first */
            table = had;
        }
    }
    *out = table;
    return S_OK;
}

HRESULT get_id_of_member(sr_tid_t tid, const WCHAR *name, DISPID *id)
{
    struct name_table *table;
    ITypeInfo *ti;
    HRESULT hr;
    UINT i;

    if (FAILED(hr = get_name_table(tid, &ti, &table))) return hr;
    for (i = 0; table && i < table->count; i++)
        if (name_equal(table->entry[i].name, name))
        {
            *id = table->entry[i].id;
            return S_OK;
        }
    return table ? S_FALSE : E_OUTOFMEMORY;
}

HRESULT get_ids_of_names(sr_tid_t tid, LPOLESTR *names, UINT count, DISPID *ids)
{
    struct name_table *table;
    ITypeInfo *ti;
    HRESULT hr;
    UINT i;

    if (!names || !ids) return E_POINTER;
    if (FAILED(hr = get_name_table(tid, &ti, &table))) return hr;
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

void release_typelib(void)
{
    unsigned int i;
    for (i = 0; i < ARRAY_SIZE(typeinfos); i++)
    {
        if (typeinfos[i]) ITypeInfo_Release(typeinfos[i]);
        HeapFree(GetProcessHeap(), 0, name_tables[i]);
    }
    if (typelib) ITypeLib_Release(typelib);
}

/* ---- layer 2: the IDispatch fast path ----
 *
 * What it adds: scripts call the scalar typed members (ReadByte ... WriteSingle, DISPIDs 104-125) in
 * loops, and Unpack, ReadArray and ReadInto once per frame; going through ITypeInfo_Invoke costs more
 * than the member itself. For the argument types a script passes (numbers as VT_I4, VT_I2, VT_UI1 or
 * VT_R8, strings as VT_BSTR, variables as one level of VT_BYREF|VT_VARIANT) this calls the member
 * directly, with the values ITypeInfo_Invoke would give it: every number parameter of these members is
 * a Double, which each of those types converts to exactly, so the member sees the script's own value
 * (a fraction too) and judges it. Everything else (other flags, named or missing arguments, other
 * types) returns S_FALSE and takes the type library's path, which checks everything.
 * One difference, on purpose: ReadInto's buffer is handed over as the caller passed it, so the caller's
 * own array is filled whatever the type library does with a VARIANT parameter (Wine's copies a by-value
 * array first, and a Byte() passed by value would be filled in a copy the caller never sees).
 * S_OK: the call was made and succeeded. A failure: the member ran and failed, and its error
 * information is set (the caller turns it into the EXCEPINFO; a failed member is never run twice). */

/* A number argument for a Double parameter, by value or through one VT_BYREF|VT_VARIANT (as Invoke
 * unwraps it): exactly the double the type library's conversion gives. */
static BOOL fast_number(const VARIANT *v, double *out)
{
    if (V_VT(v) == (VT_BYREF | VT_VARIANT) && V_VARIANTREF(v)) v = V_VARIANTREF(v);
    switch (V_VT(v))
    {
    case VT_I4: *out = V_I4(v); return TRUE;
    case VT_I2: *out = V_I2(v); return TRUE;
    case VT_UI1: *out = V_UI1(v); return TRUE;
    case VT_R8: *out = V_R8(v); return TRUE;
    default: return FALSE;
    }
}

/* A VARIANT parameter: passed on as it is, when it is of a type a script passes (a by-reference one
 * must refer to a plain value). */
static BOOL fast_variant(const VARIANT *v)
{
    if (V_VT(v) == (VT_BYREF | VT_VARIANT))
    {
        if (!V_VARIANTREF(v)) return FALSE;
        v = V_VARIANTREF(v);
    }
    switch (V_VT(v))
    {
    case VT_I2: case VT_I4: case VT_R4: case VT_R8: case VT_BSTR: case VT_DECIMAL: case VT_I1: case VT_UI1:
    case VT_UI2: case VT_UI4: case VT_I8: case VT_UI8: case VT_INT: case VT_UINT:
        return TRUE;
    default:
        return FALSE;
    }
}

/* A String parameter given as a plain VT_BSTR, or a variable holding one. */
static BOOL fast_string(const VARIANT *v, BSTR *out)
{
    if (V_VT(v) == (VT_BYREF | VT_VARIANT) && V_VARIANTREF(v)) v = V_VARIANTREF(v);
    if (V_VT(v) != VT_BSTR) return FALSE;
    *out = V_BSTR(v);
    return TRUE;
}

static HRESULT data_invoke_typed(struct sr_span *s, DISPID id, WORD flags, DISPPARAMS *params, VARIANT *result)
{
    const VARIANT *arg[3];
    VARIANT out, missing;
    double num[2];
    BSTR text;
    HRESULT hr;
    UINT i, n;

    if (id < 104 || id > 129) return S_FALSE;
    if (!(flags & DISPATCH_METHOD) || (flags & (DISPATCH_PROPERTYPUT | DISPATCH_PROPERTYPUTREF)) || !params
        || params->cNamedArgs || params->cArgs > 3 || (params->cArgs && !params->rgvarg))
        return S_FALSE;
    n = params->cArgs;
    for (i = 0; i < n; i++) arg[i] = &params->rgvarg[n - 1 - i]; /* rgvarg holds the last argument first */
    VariantInit(&out);
    V_VT(&missing) = VT_ERROR;
    V_ERROR(&missing) = DISP_E_PARAMNOTFOUND;

    if (id <= 125 && !(id & 1))
    {
        /* The reads: ReadX(offset). */
        if (id == 110 || n != 1 || !fast_number(arg[0], &num[0])) return S_FALSE;
        switch (id)
        {
        case 104: { BYTE v; hr = data_read_byte(s, num[0], &v); V_VT(&out) = VT_UI1; V_UI1(&out) = v; break; }
        case 106: { LONG v; hr = data_read_int32(s, num[0], &v); V_VT(&out) = VT_I4; V_I4(&out) = v; break; }
        case 108: { double v; hr = data_read_double(s, num[0], &v); V_VT(&out) = VT_R8; V_R8(&out) = v; break; }
        case 112: { SHORT v; hr = data_read_int8(s, num[0], &v); V_VT(&out) = VT_I2; V_I2(&out) = v; break; }
        case 114: { SHORT v; hr = data_read_int16(s, num[0], &v); V_VT(&out) = VT_I2; V_I2(&out) = v; break; }
        case 116: { LONG v; hr = data_read_uint16(s, num[0], &v); V_VT(&out) = VT_I4; V_I4(&out) = v; break; }
        case 118: { double v; hr = data_read_uint32(s, num[0], &v); V_VT(&out) = VT_R8; V_R8(&out) = v; break; }
        case 120: hr = data_read_int64(s, num[0], &out); break;
        case 122: hr = data_read_uint64(s, num[0], &out); break;
        default: { double v; hr = data_read_single(s, num[0], &v); V_VT(&out) = VT_R8; V_R8(&out) = v; break; }
        }
    }
    else if (id <= 125)
    {
        /* The writes: WriteX(offset, value); 111 (Flush) takes optional VARIANTs and is not one. */
        BOOL variant_value = id == 121 || id == 123;
        if (id == 111 || n != 2 || !fast_number(arg[0], &num[0])) return S_FALSE;
        if (variant_value ? !fast_variant(arg[1]) : !fast_number(arg[1], &num[1])) return S_FALSE;
        switch (id)
        {
        case 105: hr = data_write_byte(s, num[0], num[1]); break;
        case 107: hr = data_write_int32(s, num[0], num[1]); break;
        case 109: hr = data_write_double(s, num[0], num[1]); break;
        case 113: hr = data_write_int8(s, num[0], num[1]); break;
        case 115: hr = data_write_int16(s, num[0], num[1]); break;
        case 117: hr = data_write_uint16(s, num[0], num[1]); break;
        case 119: hr = data_write_uint32(s, num[0], num[1]); break;
        case 121: hr = data_write_int64(s, num[0], *arg[1]); break;
        case 123: hr = data_write_uint64(s, num[0], *arg[1]); break;
        default:  hr = data_write_single(s, num[0], num[1]); break;
        }
    }
    else if (id == 126)
    {
        /* ReadArray(offset, count, type) */
        if (n != 3 || !fast_number(arg[0], &num[0]) || !fast_number(arg[1], &num[1])
            || !fast_variant(arg[2]))
            return S_FALSE;
        hr = data_read_array(s, num[0], num[1], *arg[2], &out);
    }
    else if (id == 128)
    {
        /* ReadInto(offset, buffer): the caller's own array, never a copy. */
        VARTYPE vt;
        LONG count;
        if (n != 2 || !fast_number(arg[0], &num[0])) return S_FALSE;
        vt = V_VT(arg[1]);
        if (vt != (VT_BYREF | VT_VARIANT) && vt != (VT_BYREF | VT_ARRAY | VT_UI1) && vt != (VT_ARRAY | VT_UI1))
            return S_FALSE;
        hr = data_read_into(s, num[0], *arg[1], &count);
        V_VT(&out) = VT_I4;
        V_I4(&out) = count;
    }
    else if (id == 129)
    {
        /* Unpack(offset, format, [encoding]) */
        if (n < 2 || !fast_number(arg[0], &num[0]) || !fast_string(arg[1], &text)
            || (n == 3 && !fast_variant(arg[2])))
            return S_FALSE;
        hr = data_unpack(s, num[0], text, n == 3 ? *arg[2] : missing, &out);
    }
    else return S_FALSE; /* 127 WriteArray: the type library's way */

    if (FAILED(hr))
    {
        VariantClear(&out);
        return hr; /* a failed member is not run again */
    }
    if (result) *result = out;
    else VariantClear(&out);
    return S_OK;
}

/* ---- layers 3 and 4: what the type library is not given, and its refusals in the member's words ---- */

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

    sr_error(hr, iid, L"%ls", text);
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
    struct arg_limit limit[128];  /* ISharedRegion has 63 functions with IDispatch's, and grows */
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

static HRESULT sr_dispatch_invoke(ITypeInfo *ti, sr_tid_t tid, REFIID iid, void *object, DISPID id, WORD flags,
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
