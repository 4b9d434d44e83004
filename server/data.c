/*
 * SharedRegion server: the data members (ReadBytes ... Fill, Flush), written once for both
 * regions and views. Offsets are relative to the span: a region's start at 0, a view's at its
 * own first byte. Every check happens before any byte moves, so a failed call changes nothing.
 */
#include <wchar.h>
#include "private.h"

/* A whole number in [0, 2^53], the usual offset, is taken here without a call (NaN fails the first
 * test); anything else goes to arg_number, which accepts or rejects it with its message. */
static inline BOOL plain_offset(double value, ULONGLONG *out)
{
    if (!(value >= 0 && value <= SR_MAX_EXACT)) return FALSE;
    *out = (ULONGLONG)value;
    return (double)*out == value;
}

#define CHECK_OFFSET(method, value, out) \
    do { if (!plain_offset(value, out) && FAILED(hr = arg_number(method, L"offset", value, span_iid(s), out))) \
             return hr; } while (0)

HRESULT data_read_bytes(struct sr_span *s, double offset, double count, VARIANT *data)
{
    static const WCHAR method[] = L"ReadBytes";
    ULONGLONG off, n;
    SAFEARRAY *sa;
    void *p;
    HRESULT hr;

    if (!data) return sr_error(E_POINTER, span_iid(s), L"%ls: the result pointer is NULL", method);
    VariantInit(data);
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = arg_number(method, L"count", count, span_iid(s), &n))) return hr;
    if (n > SR_MAX_COUNT)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: count %I64u is more than one call can return (%I64u bytes)",
                        method, n, SR_MAX_COUNT);
    /* A count past the end is refused before any memory is allocated for it (span_io checks again). */
    if (FAILED(hr = span_check(s, method, off, n))) return hr;
    if (!(sa = SafeArrayCreateVector(VT_UI1, 0, (ULONG)n)))
        return sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory for %I64u bytes", method, n);
    SafeArrayAccessData(sa, &p);
    hr = span_io(s, method, SPAN_READ, off, n, p, 0);
    SafeArrayUnaccessData(sa);
    if (FAILED(hr))
    {
        SafeArrayDestroy(sa);
        return hr;
    }
    V_VT(data) = VT_ARRAY | VT_UI1;
    V_ARRAY(data) = sa;
    return S_OK;
}

/* One element of a script array as a byte: a whole number 0..255. */
static HRESULT element_to_byte(const WCHAR *method, REFIID iid, LONG index, VARIANT *v, BYTE *out)
{
    VARIANT num;

    VariantInit(&num);
    if (FAILED(VariantChangeType(&num, v, 0, VT_R8)))
        return sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: element %ld of data is %ls, not a number 0..255",
                        method, index, vt_name(V_VT(v) & ~VT_BYREF));
    if (!(V_R8(&num) >= 0 && V_R8(&num) <= 255 && V_R8(&num) == (double)(BYTE)V_R8(&num)))
        return sr_error(E_INVALIDARG, iid, L"%ls: element %ld of data is %.17g, not a whole number 0..255",
                        method, index, V_R8(&num));
    *out = (BYTE)V_R8(&num);
    return S_OK;
}

/* A JScript array arrives as an object (VT_DISPATCH), not a SAFEARRAY: read its "length" property
 * and then the properties "0", "1", ... through IDispatch. FALSE when the object has no "length"
 * (it is not array-like); otherwise *hr is the result and *bytes a heap buffer (NULL when empty). */
static BOOL dispatch_bytes(const WCHAR *method, REFIID iid, IDispatch *disp, BYTE **bytes, ULONGLONG *n,
                           HRESULT *hr)
{
    DISPPARAMS none = { NULL, NULL, 0, 0 };
    WCHAR index[24];
    LPOLESTR name = (LPOLESTR)L"length";
    ULONGLONG count, i, cap = 0;
    VARIANT v, num;
    DISPID id;
    BYTE *buf = NULL;

    if (FAILED(IDispatch_GetIDsOfNames(disp, &IID_NULL, &name, 1, LOCALE_USER_DEFAULT, &id))) return FALSE;
    VariantInit(&v);
    VariantInit(&num);
    *hr = IDispatch_Invoke(disp, id, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_PROPERTYGET, &none, &v, NULL, NULL);
    if (FAILED(*hr) || FAILED(VariantChangeType(&num, &v, 0, VT_R8)))
    {
        *hr = sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: the length of the data array cannot be read", method);
        goto done;
    }
    if (FAILED(*hr = arg_number(method, L"the length of data", V_R8(&num), iid, &count))) goto done;
    if (count > SR_MAX_COUNT)
    {
        *hr = sr_error(E_INVALIDARG, iid, L"%ls: data has %I64u elements, more than one call can write (%I64u bytes)",
                       method, count, SR_MAX_COUNT);
        goto done;
    }
    for (i = 0; i < count; i++)
    {
        /* The buffer grows as elements are read, so a made-up length costs nothing until it fails. */
        if (i == cap)
        {
            BYTE *grown;
            cap = count - cap < 4096 ? count : (cap ? cap * 2 : 4096);
            if (cap > count) cap = count;
            grown = buf ? HeapReAlloc(GetProcessHeap(), 0, buf, cap) : HeapAlloc(GetProcessHeap(), 0, cap);
            if (!grown)
            {
                *hr = sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for %I64u bytes", method, count);
                goto done;
            }
            buf = grown;
        }
        VariantClear(&v);
        __mingw_snwprintf(index, ARRAY_SIZE(index), L"%I64u", i);
        name = index;
        if (FAILED(IDispatch_GetIDsOfNames(disp, &IID_NULL, &name, 1, LOCALE_USER_DEFAULT, &id))
            || FAILED(IDispatch_Invoke(disp, id, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_PROPERTYGET, &none, &v,
                                       NULL, NULL)))
        {
            *hr = sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: element %I64u of data is missing", method, i);
            goto done;
        }
        if (FAILED(*hr = element_to_byte(method, iid, (LONG)i, &v, &buf[i]))) goto done;
    }
    *bytes = buf;
    *n = count;
    buf = NULL;
    *hr = S_OK;

done:
    VariantClear(&v);
    VariantClear(&num);
    HeapFree(GetProcessHeap(), 0, buf);
    return TRUE;
}

/* The size of one element of an array of vt that WriteBytes can convert; 0 for any other type. */
static ULONG element_size(VARTYPE vt)
{
    switch (vt)
    {
    case VT_I1: case VT_UI1: return 1;
    case VT_I2: case VT_UI2: case VT_BOOL: return 2;
    case VT_I4: case VT_UI4: case VT_INT: case VT_UINT: case VT_R4: case VT_ERROR: return 4;
    case VT_I8: case VT_UI8: case VT_R8: case VT_CY: case VT_DATE: return 8;
    case VT_BSTR: case VT_DISPATCH: case VT_UNKNOWN: return sizeof(void *);
    case VT_DECIMAL: return sizeof(DECIMAL);
    case VT_VARIANT: return sizeof(VARIANT);
    default: return 0;
    }
}

/* Turn the data argument of WriteBytes into bytes. *owned is set when *bytes must be freed. */
static HRESULT data_bytes(const WCHAR *method, REFIID iid, const VARIANT *arg, BYTE **bytes, ULONGLONG *n,
                          SAFEARRAY **locked)
{
    const VARIANT *v = arg;
    SAFEARRAY *sa;
    VARTYPE vt;
    LONG lo, hi;
    ULONGLONG k;
    BYTE *buf;
    HRESULT hr;

    *bytes = NULL;
    *n = 0;
    *locked = NULL;
    while (V_VT(v) == (VT_BYREF | VT_VARIANT)) v = V_VARIANTREF(v);
    if ((V_VT(v) & ~VT_BYREF) == VT_DISPATCH)
    {
        IDispatch *disp = (V_VT(v) & VT_BYREF) ? *V_DISPATCHREF(v) : V_DISPATCH(v);
        if (disp && dispatch_bytes(method, iid, disp, bytes, n, &hr)) return hr;
    }
    if (!(V_VT(v) & VT_ARRAY))
        return sr_error(DISP_E_TYPEMISMATCH, iid,
                        L"%ls: data must be a Byte() array or an array of numbers 0..255, not %ls", method,
                        arg_missing(v) ? L"missing" : vt_name(V_VT(v) & ~VT_BYREF));
    if ((V_VT(v) & VT_BYREF) && !V_BYREF(v))
        return sr_error(E_INVALIDARG, iid, L"%ls: data is a by-reference array with a NULL reference", method);
    sa = (V_VT(v) & VT_BYREF) ? *V_ARRAYREF(v) : V_ARRAY(v);
    vt = V_VT(v) & VT_TYPEMASK;
    if (!sa || SafeArrayGetDim(sa) == 0)
        return S_OK; /* an empty array writes nothing */
    /* Each element is copied into a VARIANT: the array must really hold elements of the size its type says,
     * or the copy would run past the VARIANT (an array of records or variants labelled as numbers). */
    if (!element_size(vt) || SafeArrayGetElemsize(sa) != element_size(vt))
        return sr_error(DISP_E_TYPEMISMATCH, iid,
                        L"%ls: data must be a Byte() array or an array of numbers 0..255; this array's elements "
                        L"(type %u, %u bytes each) cannot be read as numbers", method, vt, SafeArrayGetElemsize(sa));
    if (SafeArrayGetDim(sa) != 1)
        return sr_error(E_INVALIDARG, iid, L"%ls: data must be a one-dimensional array, not %u-dimensional",
                        method, SafeArrayGetDim(sa));
    SafeArrayGetLBound(sa, 1, &lo);
    SafeArrayGetUBound(sa, 1, &hi);
    if (hi < lo) return S_OK;
    *n = (ULONGLONG)((LONGLONG)hi - lo + 1);
    if (vt == VT_UI1 || vt == VT_I1)
    {
        if (FAILED(hr = SafeArrayAccessData(sa, (void **)bytes))) return hr;
        *locked = sa;
        return S_OK;
    }
    if (!(buf = HeapAlloc(GetProcessHeap(), 0, *n)))
        return sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for %I64u bytes", method, *n);
    for (k = 0; k < *n; k++)
    {
        LONG i = (LONG)((LONGLONG)lo + (LONGLONG)k); /* counted, so an upper bound of LONG_MAX ends the loop */
        VARIANT el;
        VariantInit(&el);
        if (vt == VT_VARIANT) hr = SafeArrayGetElement(sa, &i, &el);
        else if (vt == VT_DECIMAL)
        {
            hr = SafeArrayGetElement(sa, &i, &V_DECIMAL(&el)); /* a DECIMAL fills the whole VARIANT */
            V_VT(&el) = VT_DECIMAL;
        }
        else
        {
            V_VT(&el) = vt;
            hr = SafeArrayGetElement(sa, &i, &V_I4(&el));
        }
        if (SUCCEEDED(hr)) hr = element_to_byte(method, iid, i, &el, &buf[k]);
        else hr = sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: element %ld of data cannot be read", method, i);
        VariantClear(&el);
        if (FAILED(hr))
        {
            HeapFree(GetProcessHeap(), 0, buf);
            return hr;
        }
    }
    *bytes = buf;
    return S_OK;
}

HRESULT data_write_bytes(struct sr_span *s, double offset, VARIANT data)
{
    static const WCHAR method[] = L"WriteBytes";
    SAFEARRAY *locked;
    ULONGLONG off, n;
    BYTE *bytes;
    HRESULT hr;

    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = data_bytes(method, span_iid(s), &data, &bytes, &n, &locked))) return hr;
    hr = span_io(s, method, SPAN_WRITE, off, n, bytes, 0);
    if (locked) SafeArrayUnaccessData(locked);
    else HeapFree(GetProcessHeap(), 0, bytes);
    return hr;
}

enum encoding { ENC_UTF8, ENC_UTF16 };

static HRESULT parse_encoding(const WCHAR *method, REFIID iid, VARIANT *arg, enum encoding *enc)
{
    BSTR name;
    HRESULT hr;

    *enc = ENC_UTF8;
    if (FAILED(hr = arg_opt_string(method, L"encoding", arg, iid, &name))) return hr;
    if (!name || !*name || !_wcsicmp(name, L"utf-8") || !_wcsicmp(name, L"utf8")) *enc = ENC_UTF8;
    else if (!_wcsicmp(name, L"utf-16") || !_wcsicmp(name, L"utf-16le") || !_wcsicmp(name, L"utf16")
             || !_wcsicmp(name, L"unicode"))
        *enc = ENC_UTF16;
    else hr = sr_error(E_INVALIDARG, iid, L"%ls: encoding '%.100ls' is not \"utf-8\" or \"utf-16\"", method, name);
    SysFreeString(name);
    return hr;
}

HRESULT data_read_string(struct sr_span *s, double offset, VARIANT max_bytes, VARIANT encoding, BSTR *text)
{
    static const WCHAR method[] = L"ReadString";
    const ULONGLONG step = 64 * 1024;
    ULONGLONG off, limit, size, len = 0, cap = 0;
    enum encoding enc;
    BYTE *buf = NULL, *end = NULL;
    HRESULT hr;

    if (!text) return sr_error(E_POINTER, span_iid(s), L"%ls: the result pointer is NULL", method);
    *text = NULL;
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = arg_opt_number(method, L"maxBytes", &max_bytes, SR_MAX_COUNT, span_iid(s), &limit))) return hr;
    if (FAILED(hr = parse_encoding(method, span_iid(s), &encoding, &enc))) return hr;
    if (limit > SR_MAX_COUNT) limit = SR_MAX_COUNT;

    /* Read in steps up to the terminator, maxBytes or the end of the span, whichever is first. */
    if (FAILED(hr = span_io(s, method, SPAN_READ, off, 0, NULL, 0))) return hr;
    size = span_size(s);
    if (limit > size - off) limit = size - off;
    for (;;)
    {
        ULONGLONG want = limit - len < step ? limit - len : step, i;
        BYTE *grown;

        if (!want) break;
        if (len + want > cap)
        {
            cap = (len + want) * 2;
            if (cap > limit + 2) cap = limit + 2;
            grown = buf ? HeapReAlloc(GetProcessHeap(), 0, buf, cap) : HeapAlloc(GetProcessHeap(), 0, cap);
            if (!grown)
            {
                hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory", method);
                goto done;
            }
            buf = grown;
        }
        if (FAILED(hr = span_io(s, method, SPAN_READ, off + len, want, buf + len, 0))) goto done;
        if (enc == ENC_UTF8)
        {
            for (i = 0; i < want; i++) if (!buf[len + i]) { end = buf + len + i; break; }
        }
        else
        {
            for (i = (len & 1); i + 1 < want; i += 2)
                if (!buf[len + i] && !buf[len + i + 1]) { end = buf + len + i; break; }
        }
        len += want;
        if (end) break;
    }
    if (!end) end = buf + len;

    if (enc == ENC_UTF8)
    {
        int bytes = (int)(end - buf), chars = 0;
        if (bytes && !(chars = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, (char *)buf, bytes, NULL, 0)))
        {
            hr = sr_error(SR_E_BADENCODING, span_iid(s), L"%ls: the %d bytes at offset %I64u are not valid UTF-8",
                          method, bytes, off);
            goto done;
        }
        if (!(*text = SysAllocStringLen(NULL, chars)))
        {
            hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory", method);
            goto done;
        }
        if (bytes) MultiByteToWideChar(CP_UTF8, 0, (char *)buf, bytes, *text, chars);
    }
    else
    {
        UINT chars = (UINT)((end - buf) / 2);
        if (!(*text = SysAllocStringLen(NULL, chars)))
        {
            hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory", method);
            goto done;
        }
        if (chars) memcpy(*text, buf, chars * sizeof(WCHAR));
    }
    hr = S_OK;

done:
    HeapFree(GetProcessHeap(), 0, buf);
    return hr;
}

HRESULT data_write_string(struct sr_span *s, double offset, BSTR text, VARIANT encoding, VARIANT terminate,
                          LONG *written)
{
    static const WCHAR method[] = L"WriteString";
    UINT chars = text ? SysStringLen(text) : 0;
    ULONGLONG off, n = 0;
    enum encoding enc;
    BOOL term;
    BYTE *bytes = NULL;
    HRESULT hr;

    if (!written) return sr_error(E_POINTER, span_iid(s), L"%ls: the result pointer is NULL", method);
    *written = 0;
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = parse_encoding(method, span_iid(s), &encoding, &enc))) return hr;
    if (FAILED(hr = arg_opt_bool(method, L"terminate", &terminate, TRUE, span_iid(s), &term))) return hr;

    if (chars > SR_MAX_COUNT / 4)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: the text is too long (%u characters)", method, chars);
    if (enc == ENC_UTF8)
    {
        int len = chars ? WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, text, chars, NULL, 0, NULL, NULL) : 0;
        if (chars && !len)
            return sr_error(SR_E_BADENCODING, span_iid(s),
                            L"%ls: the text has an unpaired surrogate and cannot be written as UTF-8", method);
        n = (ULONGLONG)len + (term ? 1 : 0);
        if (!(bytes = HeapAlloc(GetProcessHeap(), 0, n ? n : 1)))
            return sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory", method);
        if (len) WideCharToMultiByte(CP_UTF8, 0, text, chars, (char *)bytes, len, NULL, NULL);
        if (term) bytes[len] = 0;
    }
    else
    {
        n = ((ULONGLONG)chars + (term ? 1 : 0)) * sizeof(WCHAR);
        if (!(bytes = HeapAlloc(GetProcessHeap(), 0, n ? n : 1)))
            return sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory", method);
        if (chars) memcpy(bytes, text, chars * sizeof(WCHAR));
        if (term) ((WCHAR *)bytes)[chars] = 0;
    }
    if (n > SR_MAX_COUNT)
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: the text is too long", method);
    else if (SUCCEEDED(hr = span_io(s, method, SPAN_WRITE, off, n, bytes, 0)))
        *written = (LONG)n;
    HeapFree(GetProcessHeap(), 0, bytes);
    return hr;
}

/* Typed access: a fixed number of bytes at any offset, little-endian (as x86/x64 memory is). */
static HRESULT typed_read(struct sr_span *s, const WCHAR *method, double offset, void *value, ULONGLONG size)
{
    ULONGLONG off;
    HRESULT hr;

    if (!value) return sr_error(E_POINTER, span_iid(s), L"%ls: the result pointer is NULL", method);
    memset(value, 0, size);
    CHECK_OFFSET(method, offset, &off);
    return span_io(s, method, SPAN_READ, off, size, value, 0);
}

static HRESULT typed_write(struct sr_span *s, const WCHAR *method, double offset, const void *value, ULONGLONG size)
{
    ULONGLONG off;
    HRESULT hr;

    CHECK_OFFSET(method, offset, &off);
    return span_io(s, method, SPAN_WRITE, off, size, (void *)value, 0);
}

HRESULT data_read_byte(struct sr_span *s, double offset, BYTE *value)
{
    return typed_read(s, L"ReadByte", offset, value, sizeof(*value));
}

HRESULT data_write_byte(struct sr_span *s, double offset, LONG value)
{
    BYTE b = (BYTE)value;
    if (value < 0 || value > 255)
        return sr_error(E_INVALIDARG, span_iid(s), L"WriteByte: value %ld is not 0..255", value);
    return typed_write(s, L"WriteByte", offset, &b, sizeof(b));
}

HRESULT data_read_int32(struct sr_span *s, double offset, LONG *value)
{
    return typed_read(s, L"ReadInt32", offset, value, sizeof(*value));
}

HRESULT data_write_int32(struct sr_span *s, double offset, LONG value)
{
    return typed_write(s, L"WriteInt32", offset, &value, sizeof(value));
}

HRESULT data_read_double(struct sr_span *s, double offset, double *value)
{
    return typed_read(s, L"ReadDouble", offset, value, sizeof(*value));
}

HRESULT data_write_double(struct sr_span *s, double offset, double value)
{
    return typed_write(s, L"WriteDouble", offset, &value, sizeof(value));
}

HRESULT data_fill(struct sr_span *s, double offset, double count, LONG value)
{
    static const WCHAR method[] = L"Fill";
    ULONGLONG off, n;
    HRESULT hr;

    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = arg_number(method, L"count", count, span_iid(s), &n))) return hr;
    if (value < 0 || value > 255)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: value %ld is not 0..255", method, value);
    return span_io(s, method, SPAN_FILL, off, n, NULL, (BYTE)value);
}

HRESULT data_flush(struct sr_span *s, VARIANT offset, VARIANT count)
{
    static const WCHAR method[] = L"Flush";
    ULONGLONG off, n, size;
    HRESULT hr;

    if (FAILED(hr = arg_opt_number(method, L"offset", &offset, 0, span_iid(s), &off))) return hr;
    if (FAILED(hr = arg_opt_number(method, L"count", &count, 0, span_iid(s), &n))) return hr;
    if (arg_missing(&count) || !n)
    {
        size = span_size(s); /* missing or 0: from offset to the end, as FlushViewOfFile and MapView */
        n = size > off ? size - off : 0;
    }
    return span_io(s, method, SPAN_FLUSH, off, n, NULL, 0);
}

/* IDispatch fast path for the typed members (ReadByte ... WriteDouble, DISPIDs 104-109), shared by
 * regions and views. S_OK: the call was made and succeeded. S_FALSE: not taken; the caller goes the
 * type library's way, which checks everything. A failure: the member ran and failed, and its error
 * information is set (the caller turns it into the EXCEPINFO; a failed member is never run twice). */
HRESULT data_invoke_typed(struct sr_span *s, DISPID id, WORD flags, DISPPARAMS *params, VARIANT *result)
{
    HRESULT hr;

    /* Scripts call the typed members (ReadByte ... WriteDouble, DISPIDs 104-109) in loops. With plain
     * numbers for arguments (Integer, Long, Byte or Double, by value or by reference; a Double value
     * for a Long parameter is left to the type library's rounding) the member is called directly.
     * Any other call takes the type library's path (disp_invoke). */
    if (id >= 104 && id <= 109 && (flags & DISPATCH_METHOD) && !(flags & (DISPATCH_PROPERTYPUT | DISPATCH_PROPERTYPUTREF))
        && params && !params->cNamedArgs && params->cArgs == (id % 2 ? 2u : 1u))
    {
        double num[2];
        UINT i;

        for (i = 0; i < params->cArgs; i++)
        {
            const VARIANT *v = &params->rgvarg[params->cArgs - 1 - i]; /* rgvarg holds the last argument first */
            if (V_VT(v) == (VT_BYREF | VT_VARIANT) && V_VARIANTREF(v)) v = V_VARIANTREF(v); /* one level, as Invoke */
            if (V_VT(v) == VT_I4) num[i] = V_I4(v);
            else if (V_VT(v) == VT_I2) num[i] = V_I2(v);
            else if (V_VT(v) == VT_UI1) num[i] = V_UI1(v);
            else if (V_VT(v) == VT_R8 && (i == 0 || id == 109)) num[i] = V_R8(v);
            else break;
        }
        if (i == params->cArgs)
        {
            VARIANT out;
            BYTE b;
            LONG l;
            double d;

            VariantInit(&out);
            switch (id)
            {
            case 104: hr = data_read_byte(s, num[0], &b); V_VT(&out) = VT_UI1; V_UI1(&out) = b; break;
            case 105: hr = data_write_byte(s, num[0], (LONG)num[1]); break;
            case 106: hr = data_read_int32(s, num[0], &l); V_VT(&out) = VT_I4; V_I4(&out) = l; break;
            case 107: hr = data_write_int32(s, num[0], (LONG)num[1]); break;
            case 108: hr = data_read_double(s, num[0], &d); V_VT(&out) = VT_R8; V_R8(&out) = d; break;
            default:  hr = data_write_double(s, num[0], num[1]); break;
            }
            if (SUCCEEDED(hr) && result && V_VT(&out) != VT_EMPTY) *result = out;
            return SUCCEEDED(hr) ? S_OK : hr; /* a failed member is not run again */
        }
    }
    return S_FALSE;
}
