/*
 * SharedRegion server: numbers between script values and the fixed-size little-endian types, and
 * the list of values in a script array. Nothing here touches a span or a kernel object.
 *
 * The rules (the contract's "Data of every shape"):
 *   - reads give the narrowest VARIANT a script handles well and never round: 64-bit values beyond
 *     2^53 come back as an exact Decimal;
 *   - integer writes take a whole number in range, as any numeric VARIANT, a Decimal, VT_I8/VT_UI8
 *     or a string of decimal digits; everything else is an error that names the method, the value
 *     and the range;
 *   - float32 writes round to nearest, ties to even; a finite value beyond float32's range is an
 *     error, NaN and infinities are stored as they are.
 */
#include <math.h>
#include <float.h>
#include <wchar.h>
#include "private.h"

static const struct
{
    const WCHAR *name;
    SIZE_T size;
    BOOL is_signed;
    LONGLONG min;            /* integers only */
    ULONGLONG max;
    const WCHAR *range;      /* for messages */
    char code;               /* the struct code that means the same */
    VARTYPE vt;              /* the element's VARTYPE: its DataType number */
} types[SR_TYPE_COUNT] =
{
    [SR_INT8]   = { L"Int8",   1, TRUE,  -128, 127, L"-128 to 127", 'b', VT_I1 },
    [SR_UINT8]  = { L"UInt8",  1, FALSE, 0, 255, L"0 to 255", 'B', VT_UI1 },
    [SR_INT16]  = { L"Int16",  2, TRUE,  -32768, 32767, L"-32768 to 32767", 'h', VT_I2 },
    [SR_UINT16] = { L"UInt16", 2, FALSE, 0, 65535, L"0 to 65535", 'H', VT_UI2 },
    [SR_INT32]  = { L"Int32",  4, TRUE,  -2147483647LL - 1, 2147483647, L"-2147483648 to 2147483647", 'i', VT_I4 },
    [SR_UINT32] = { L"UInt32", 4, FALSE, 0, 4294967295ULL, L"0 to 4294967295", 'I', VT_UI4 },
    [SR_INT64]  = { L"Int64",  8, TRUE,  -9223372036854775807LL - 1, 9223372036854775807ULL,
                    L"-9223372036854775808 to 9223372036854775807", 'q', VT_I8 },
    [SR_UINT64] = { L"UInt64", 8, FALSE, 0, 18446744073709551615ULL, L"0 to 18446744073709551615", 'Q', VT_UI8 },
    [SR_SINGLE] = { L"Single", 4, TRUE,  0, 0, L"-3.4028234663852886e+38 to 3.4028234663852886e+38", 'f', VT_R4 },
    [SR_DOUBLE] = { L"Double", 8, TRUE,  0, 0, L"any number", 'd', VT_R8 },
};

SIZE_T value_type_size(enum sr_type type)
{
    return type < SR_TYPE_COUNT ? types[type].size : 0;
}

const WCHAR *value_type_name(enum sr_type type)
{
    return type < SR_TYPE_COUNT ? types[type].name : L"?";
}

/* What ReadArray and WriteArray take as a type, in every message that refuses one. */
#define TYPE_SPELLINGS L"Int8, UInt8 (Byte), Int16 (Integer), UInt16, Int32 (Long), UInt32, Int64, UInt64, Single " \
    L"(Float), Double; int8 ... uint64, float32, float64 (any case); the struct codes b B h H i I q Q f d; or a " \
    L"DataType number, the element's VARTYPE: 16 Int8, 17 UInt8, 2 Int16, 18 UInt16, 3 Int32, 19 UInt32, 20 Int64, " \
    L"21 UInt64, 4 Single, 5 Double"

/* A DataType number is the element's VARTYPE, so VB's vbByte (17), vbInteger (2), vbLong (3),
 * vbSingle (4), vbDouble (5) and vbLongLong (20) mean what they say. */
HRESULT value_parse_type(const WCHAR *method, REFIID iid, const VARIANT *arg, enum sr_type *type)
{
    static const struct { const WCHAR *name; enum sr_type type; } aliases[] =
    {
        { L"Byte", SR_UINT8 }, { L"Long", SR_INT32 }, { L"Integer", SR_INT16 }, { L"Float", SR_SINGLE },
        { L"float32", SR_SINGLE }, { L"float64", SR_DOUBLE },
    };
    const VARIANT *v = arg;
    VARIANT num;
    unsigned int i;

    *type = SR_UINT8;
    v = arg_deref(v); /* one level, NULL-checked: a reference to a reference is refused, never followed */
    if (!v || arg_missing(v))
        return sr_error(E_INVALIDARG, iid, L"%ls: type is missing; it is one of " TYPE_SPELLINGS, method);
    if ((V_VT(v) & ~VT_BYREF) == VT_BSTR)
    {
        const WCHAR *s = (V_VT(v) & VT_BYREF) ? *V_BSTRREF(v) : V_BSTR(v);
        if (s && s[0] && !s[1])
        {
            for (i = 0; i < SR_TYPE_COUNT; i++)
                if (types[i].code == s[0]) { *type = i; return S_OK; }
        }
        else if (s)
        {
            for (i = 0; i < SR_TYPE_COUNT; i++)
                if (!_wcsicmp(s, types[i].name)) { *type = i; return S_OK; }
            for (i = 0; i < ARRAY_SIZE(aliases); i++)
                if (!_wcsicmp(s, aliases[i].name)) { *type = aliases[i].type; return S_OK; }
        }
        return sr_error(E_INVALIDARG, iid, L"%ls: type \"%.40ls\" is not one of " TYPE_SPELLINGS, method, s ? s : L"");
    }
    VariantInit(&num);
    if (FAILED(VariantChangeType(&num, (VARIANT *)v, 0, VT_R8)))
        return sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: type must be a name, a struct code or a DataType number, "
                        L"not %ls", method, vt_name(V_VT(v) & ~VT_BYREF));
    for (i = 0; i < SR_TYPE_COUNT; i++)
        if (V_R8(&num) == types[i].vt) { *type = i; return S_OK; }
    return sr_error(E_INVALIDARG, iid, L"%ls: type %.17g is not a DataType number; the type is one of " TYPE_SPELLINGS,
                    method, V_R8(&num));
}

/* ---- reads ---- */

void value_from_int64(LONGLONG v, VARIANT *out)
{
    VariantInit(out);
    if (v >= -(LONGLONG)SR_MAX_EXACT && v <= (LONGLONG)SR_MAX_EXACT)
    {
        V_VT(out) = VT_R8;
        V_R8(out) = (double)v;
        return;
    }
    /* Written after the vt: a DECIMAL overlays the whole VARIANT, wReserved is the vt. */
    memset(&V_DECIMAL(out), 0, sizeof(DECIMAL));
    V_DECIMAL(out).sign = v < 0 ? DECIMAL_NEG : 0;
    V_DECIMAL(out).Lo64 = v < 0 ? (ULONGLONG)(-(v + 1)) + 1 : (ULONGLONG)v;
    V_VT(out) = VT_DECIMAL;
}

void value_from_uint64(ULONGLONG v, VARIANT *out)
{
    VariantInit(out);
    if (v <= (ULONGLONG)SR_MAX_EXACT)
    {
        V_VT(out) = VT_R8;
        V_R8(out) = (double)v;
        return;
    }
    memset(&V_DECIMAL(out), 0, sizeof(DECIMAL));
    V_DECIMAL(out).Lo64 = v;
    V_VT(out) = VT_DECIMAL;
}

void value_decode(enum sr_type type, const BYTE *src, VARIANT *out)
{
    /* Each case copies a constant size (any alignment), which the compiler turns into one load. */
    union { signed char i8; BYTE u8; SHORT i16; USHORT u16; LONG i32; ULONG u32; LONGLONG i64; ULONGLONG u64;
            float f; double d; } u;

    switch (type)
    {
    case SR_INT8:   V_VT(out) = VT_I2; V_I2(out) = (signed char)src[0]; break;
    case SR_UINT8:  V_VT(out) = VT_UI1; V_UI1(out) = src[0]; break;
    case SR_INT16:  memcpy(&u.i16, src, 2); V_VT(out) = VT_I2; V_I2(out) = u.i16; break;
    case SR_UINT16: memcpy(&u.u16, src, 2); V_VT(out) = VT_I4; V_I4(out) = u.u16; break;
    case SR_INT32:  memcpy(&u.i32, src, 4); V_VT(out) = VT_I4; V_I4(out) = u.i32; break;
    case SR_UINT32: memcpy(&u.u32, src, 4); V_VT(out) = VT_R8; V_R8(out) = u.u32; break;
    case SR_INT64:  memcpy(&u.i64, src, 8); value_from_int64(u.i64, out); break;
    case SR_UINT64: memcpy(&u.u64, src, 8); value_from_uint64(u.u64, out); break;
    case SR_SINGLE: memcpy(&u.f, src, 4); V_VT(out) = VT_R8; V_R8(out) = u.f; break;
    case SR_DOUBLE: memcpy(&u.d, src, 8); V_VT(out) = VT_R8; V_R8(out) = u.d; break;
    default: VariantInit(out); break;
    }
}

/* ---- writes ---- */

/* A whole number as sign and magnitude; `huge` when the magnitude does not fit in 64 bits. */
struct whole
{
    BOOL neg;
    BOOL huge;
    ULONGLONG mag;
};

static void prefix_what(const WCHAR *what, WCHAR *buf, size_t size)
{
    /* "value 5" for the scalar writes; "element 3: value 5", "field 2 ('h'): value 5" otherwise. */
    if (!what || !wcscmp(what, L"value")) buf[0] = 0;
    else __mingw_snwprintf(buf, size, L"%ls: ", what);
    buf[size - 1] = 0;
}

static void text_of_whole(const struct whole *w, WCHAR *buf, size_t size)
{
    if (w->huge) __mingw_snwprintf(buf, size, L"%ls(more than 64 bits)", w->neg ? L"-" : L"");
    else __mingw_snwprintf(buf, size, L"%ls%I64u", w->neg && w->mag ? L"-" : L"", w->mag);
    buf[size - 1] = 0;
}

static HRESULT range_error(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type,
                           const WCHAR *value)
{
    WCHAR pre[64];
    prefix_what(what, pre, ARRAY_SIZE(pre));
    return sr_error(E_INVALIDARG, iid, L"%ls: %lsvalue %ls is out of range; %ls takes %ls", method, pre, value,
                    types[type].name, types[type].range);
}

static HRESULT whole_from_double(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type, double d,
                                 struct whole *w)
{
    WCHAR pre[64];

    prefix_what(what, pre, ARRAY_SIZE(pre));
    if (isnan(d))
        return sr_error(E_INVALIDARG, iid, L"%ls: %lsvalue is NaN; %ls takes whole numbers from %ls", method, pre,
                        types[type].name, types[type].range);
    if (isinf(d))
        return sr_error(E_INVALIDARG, iid, L"%ls: %lsvalue is %lsinfinite; %ls takes whole numbers from %ls", method,
                        pre, d < 0 ? L"minus " : L"", types[type].name, types[type].range);
    if (d != floor(d))
        return sr_error(E_INVALIDARG, iid, L"%ls: %lsvalue %.17g is not a whole number; %ls takes whole numbers "
                        L"from %ls", method, pre, d, types[type].name, types[type].range);
    w->neg = d < 0;
    d = fabs(d);
    w->huge = d >= 18446744073709551616.0;
    w->mag = w->huge ? 0 : (ULONGLONG)d;
    if (w->huge)
    {
        WCHAR text[64];
        __mingw_snwprintf(text, ARRAY_SIZE(text), L"%.17g", w->neg ? -d : d);
        return range_error(method, what, iid, type, text);
    }
    return S_OK;
}

/* A Decimal's 96-bit mantissa divided by 10^scale, or an error when that is not a whole number. */
static HRESULT whole_from_decimal(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type,
                                  const DECIMAL *dec, struct whole *w)
{
    ULONG part[3] = { (ULONG)dec->Lo64, (ULONG)(dec->Lo64 >> 32), dec->Hi32 };
    BOOL exact = TRUE;
    unsigned int s;
    int i;

    for (s = 0; s < dec->scale; s++)
    {
        ULONGLONG rem = 0;
        for (i = 2; i >= 0; i--)
        {
            ULONGLONG cur = (rem << 32) | part[i];
            part[i] = (ULONG)(cur / 10);
            rem = cur % 10;
        }
        if (rem) exact = FALSE;
    }
    w->neg = (dec->sign & DECIMAL_NEG) != 0;
    w->huge = part[2] != 0;
    w->mag = ((ULONGLONG)part[1] << 32) | part[0];
    if (!exact || w->huge)
    {
        WCHAR text[64], pre[64];
        VARIANT v, str;
        V_DECIMAL(&v) = *dec;
        V_VT(&v) = VT_DECIMAL;
        VariantInit(&str);
        if (FAILED(VariantChangeTypeEx(&str, &v, LOCALE_INVARIANT, 0, VT_BSTR))) wcscpy(text, L"(a Decimal)");
        else __mingw_snwprintf(text, ARRAY_SIZE(text), L"%.40ls", V_BSTR(&str));
        text[ARRAY_SIZE(text) - 1] = 0;
        VariantClear(&str);
        if (w->huge && exact) return range_error(method, what, iid, type, text);
        prefix_what(what, pre, ARRAY_SIZE(pre));
        return sr_error(E_INVALIDARG, iid, L"%ls: %lsvalue %ls is not a whole number; %ls takes whole numbers from %ls",
                        method, pre, text, types[type].name, types[type].range);
    }
    return S_OK;
}

/* A string of decimal digits, with a sign; nothing else (no spaces, no fraction, no exponent). */
static HRESULT whole_from_string(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type,
                                 const WCHAR *s, struct whole *w)
{
    const WCHAR *p = s ? s : L"";
    WCHAR pre[64];

    w->neg = FALSE;
    w->huge = FALSE;
    w->mag = 0;
    if (*p == '-' || *p == '+') w->neg = *p++ == '-';
    if (*p < '0' || *p > '9') goto bad;
    for (; *p >= '0' && *p <= '9'; p++)
    {
        ULONG digit = *p - '0';
        if (w->mag > (~0ULL - digit) / 10) w->huge = TRUE;
        else w->mag = w->mag * 10 + digit;
    }
    if (*p) goto bad;
    if (w->huge)
    {
        WCHAR text[64];
        __mingw_snwprintf(text, ARRAY_SIZE(text), L"%.40ls", s);
        text[ARRAY_SIZE(text) - 1] = 0;
        return range_error(method, what, iid, type, text);
    }
    return S_OK;

bad:
    prefix_what(what, pre, ARRAY_SIZE(pre));
    return sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: %lsvalue \"%.40ls\" is not a whole number in decimal digits; "
                    L"%ls takes whole numbers from %ls", method, pre, s ? s : L"", types[type].name,
                    types[type].range);
}

/* The VARIANT a caller passed, one level of VT_BYREF removed, as a shallow copy. */
static BOOL deref(const VARIANT *v, VARIANT *out)
{
    if (V_VT(v) == (VT_BYREF | VT_VARIANT))
    {
        if (!V_VARIANTREF(v)) return FALSE;
        v = V_VARIANTREF(v);
    }
    if (!(V_VT(v) & VT_BYREF))
    {
        *out = *v;
        return TRUE;
    }
    if (!V_BYREF(v) || (V_VT(v) & VT_ARRAY)) return FALSE;
    VariantInit(out);
    switch (V_VT(v) & VT_TYPEMASK)
    {
    case VT_I1: V_I1(out) = *V_I1REF(v); break;
    case VT_UI1: V_UI1(out) = *V_UI1REF(v); break;
    case VT_I2: V_I2(out) = *V_I2REF(v); break;
    case VT_UI2: V_UI2(out) = *V_UI2REF(v); break;
    case VT_BOOL: V_BOOL(out) = *V_BOOLREF(v); break;
    case VT_I4: case VT_INT: V_I4(out) = *V_I4REF(v); break;
    case VT_UI4: case VT_UINT: V_UI4(out) = *V_UI4REF(v); break;
    case VT_ERROR: V_ERROR(out) = *V_ERRORREF(v); break;
    case VT_I8: V_I8(out) = *V_I8REF(v); break;
    case VT_UI8: V_UI8(out) = *V_UI8REF(v); break;
    case VT_R4: V_R4(out) = *V_R4REF(v); break;
    case VT_R8: V_R8(out) = *V_R8REF(v); break;
    case VT_CY: V_CY(out) = *V_CYREF(v); break;
    case VT_DATE: V_DATE(out) = *V_DATEREF(v); break;
    case VT_BSTR: V_BSTR(out) = *V_BSTRREF(v); break;
    case VT_DISPATCH: V_DISPATCH(out) = *V_DISPATCHREF(v); break;
    case VT_UNKNOWN: V_UNKNOWN(out) = *V_UNKNOWNREF(v); break;
    case VT_DECIMAL: V_DECIMAL(out) = *V_DECIMALREF(v); break;
    default: return FALSE;
    }
    V_VT(out) = V_VT(v) & ~VT_BYREF; /* after the DECIMAL, which overlays the vt */
    return TRUE;
}

static HRESULT not_a_number(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type, const VARIANT *v)
{
    WCHAR pre[64];
    prefix_what(what, pre, ARRAY_SIZE(pre));
    return sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: %lsvalue must be a number (%ls takes %ls), not %ls", method, pre,
                    types[type].name, types[type].range, arg_missing(v) ? L"missing" : vt_name(V_VT(v)));
}

/* Any script value as a whole number (integer types). */
static HRESULT whole_from_variant(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type,
                                  const VARIANT *arg, struct whole *w)
{
    VARIANT v, conv;
    HRESULT hr;

    memset(w, 0, sizeof(*w));
    if (!deref(arg, &v)) return not_a_number(method, what, iid, type, arg);
    switch (V_VT(&v))
    {
    case VT_I1: w->neg = V_I1(&v) < 0; w->mag = w->neg ? -(LONGLONG)V_I1(&v) : V_I1(&v); return S_OK;
    case VT_UI1: w->mag = V_UI1(&v); return S_OK;
    case VT_I2: w->neg = V_I2(&v) < 0; w->mag = w->neg ? -(LONGLONG)V_I2(&v) : V_I2(&v); return S_OK;
    case VT_UI2: w->mag = V_UI2(&v); return S_OK;
    case VT_I4: case VT_INT: w->neg = V_I4(&v) < 0; w->mag = w->neg ? -(LONGLONG)V_I4(&v) : V_I4(&v); return S_OK;
    case VT_UI4: case VT_UINT: w->mag = V_UI4(&v); return S_OK;
    case VT_I8:
        w->neg = V_I8(&v) < 0;
        w->mag = w->neg ? (ULONGLONG)(-(V_I8(&v) + 1)) + 1 : (ULONGLONG)V_I8(&v);
        return S_OK;
    case VT_UI8: w->mag = V_UI8(&v); return S_OK;
    case VT_R4: return whole_from_double(method, what, iid, type, V_R4(&v), w);
    case VT_R8: return whole_from_double(method, what, iid, type, V_R8(&v), w);
    case VT_DECIMAL: return whole_from_decimal(method, what, iid, type, &V_DECIMAL(&v), w);
    case VT_BSTR: return whole_from_string(method, what, iid, type, V_BSTR(&v), w);
    case VT_EMPTY: case VT_NULL: case VT_ERROR:
        return not_a_number(method, what, iid, type, &v);
    default:
        /* Currency, Boolean, Date, an object's default value: through the system's conversion. */
        VariantInit(&conv);
        if (FAILED(VariantChangeType(&conv, &v, 0, VT_DECIMAL))) return not_a_number(method, what, iid, type, &v);
        hr = whole_from_decimal(method, what, iid, type, &V_DECIMAL(&conv), w);
        VariantClear(&conv);
        return hr;
    }
}

/* Any script value as a double (Single and Double). */
static HRESULT double_from_variant(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type,
                                   const VARIANT *arg, double *d)
{
    VARIANT v, conv;

    *d = 0;
    if (!deref(arg, &v)) return not_a_number(method, what, iid, type, arg);
    switch (V_VT(&v))
    {
    case VT_R8: *d = V_R8(&v); return S_OK;
    case VT_R4: *d = V_R4(&v); return S_OK;
    case VT_I4: case VT_INT: *d = V_I4(&v); return S_OK;
    case VT_I2: *d = V_I2(&v); return S_OK;
    case VT_UI1: *d = V_UI1(&v); return S_OK;
    case VT_EMPTY: case VT_NULL: case VT_ERROR:
        return not_a_number(method, what, iid, type, &v);
    default:
        /* Strings are read in the invariant locale ("1.5", never "1,5"), the same on every system. */
        VariantInit(&conv);
        if (FAILED(VariantChangeTypeEx(&conv, &v, LOCALE_INVARIANT, 0, VT_R8)))
            return not_a_number(method, what, iid, type, &v);
        *d = V_R8(&conv);
        return S_OK;
    }
}

static HRESULT store_whole(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type,
                           const struct whole *w, BYTE *dst)
{
    ULONGLONG bits;
    WCHAR text[64];

    if (w->huge || (!w->neg && w->mag > types[type].max)
        || (w->neg && w->mag && (!types[type].is_signed || w->mag - 1 > (ULONGLONG)(-(types[type].min + 1)))))
    {
        text_of_whole(w, text, ARRAY_SIZE(text));
        return range_error(method, what, iid, type, text);
    }
    bits = w->neg ? (ULONGLONG)0 - w->mag : w->mag;
    memcpy(dst, &bits, types[type].size); /* little-endian: the low bytes */
    return S_OK;
}

static HRESULT store_float(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type, double d,
                           BYTE *dst)
{
    if (type == SR_DOUBLE)
    {
        memcpy(dst, &d, sizeof(d));
        return S_OK;
    }
    else
    {
        /* volatile: an x87 build would otherwise keep the double's precision in a register, and the
         * range test below would see a number that was never rounded to float32. The conversion
         * rounds to nearest, ties to even (the default rounding mode). */
        volatile float f = (float)d;
        float stored = f;
        if (isinf(stored) && !isinf(d))
        {
            WCHAR text[64];
            __mingw_snwprintf(text, ARRAY_SIZE(text), L"%.17g", d);
            return range_error(method, what, iid, type, text);
        }
        memcpy(dst, &stored, sizeof(stored));
        return S_OK;
    }
}

HRESULT value_encode(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type, const VARIANT *v,
                     BYTE *dst)
{
    struct whole w;
    double d;
    HRESULT hr;

    if (type >= SR_TYPE_COUNT) return sr_error(E_INVALIDARG, iid, L"%ls: unknown type %d", method, type);
    if (type == SR_SINGLE || type == SR_DOUBLE)
    {
        if (FAILED(hr = double_from_variant(method, what, iid, type, v, &d))) return hr;
        return store_float(method, what, iid, type, d, dst);
    }
    if (FAILED(hr = whole_from_variant(method, what, iid, type, v, &w))) return hr;
    return store_whole(method, what, iid, type, &w, dst);
}

HRESULT value_encode_double(const WCHAR *method, const WCHAR *what, REFIID iid, enum sr_type type, double v,
                            BYTE *dst)
{
    struct whole w;
    HRESULT hr;

    if (type >= SR_TYPE_COUNT) return sr_error(E_INVALIDARG, iid, L"%ls: unknown type %d", method, type);
    if (type == SR_SINGLE || type == SR_DOUBLE) return store_float(method, what, iid, type, v, dst);
    if (FAILED(hr = whole_from_double(method, what, iid, type, v, &w))) return hr;
    return store_whole(method, what, iid, type, &w, dst);
}

HRESULT value_to_int64(const WCHAR *method, const WCHAR *what, REFIID iid, const VARIANT *v, LONGLONG *out)
{
    HRESULT hr;
    *out = 0;
    hr = value_encode(method, what, iid, SR_INT64, v, (BYTE *)out);
    return hr;
}

HRESULT value_to_uint64(const WCHAR *method, const WCHAR *what, REFIID iid, const VARIANT *v, ULONGLONG *out)
{
    HRESULT hr;
    *out = 0;
    hr = value_encode(method, what, iid, SR_UINT64, v, (BYTE *)out);
    return hr;
}

/* ---- the elements of a script array ----
 *
 * A SAFEARRAY is walked where it lies, one element at a time (values_open, values_item, values_close):
 * a Byte() or a Single() of any length is encoded from its own memory, kept locked while it is read,
 * and never expanded into VARIANTs. A JScript array has no memory to walk: its elements are read into
 * VARIANTs, as values_take does for a caller that needs them all at once (Pack). Either way an array of
 * VARIANTs holds at most SR_MAX_ITEMS, and every size that allocates is computed in ULONGLONG, so that
 * nothing wraps in a 32-bit process. */

void values_free(VARIANT *items, ULONG count)
{
    ULONG i;
    if (!items) return;
    for (i = 0; i < count; i++) VariantClear(&items[i]);
    HeapFree(GetProcessHeap(), 0, items);
}

/* Room for n VARIANTs (zero-filled when new), or NULL: n is at most SR_MAX_ITEMS, so the size is under
 * 2^31 bytes in either bitness. */
static VARIANT *alloc_items(VARIANT *old, ULONGLONG n)
{
    ULONGLONG bytes = n * sizeof(VARIANT);

    if (!n || n > SR_MAX_ITEMS) return NULL;
    return old ? HeapReAlloc(GetProcessHeap(), 0, old, (SIZE_T)bytes)
               : HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, (SIZE_T)bytes);
}

/* Room for at least `want` items, growing geometrically (a made-up JScript length costs nothing until
 * its elements are read). */
static BOOL grow_items(VARIANT **items, ULONG *cap, ULONG want, ULONG total)
{
    VARIANT *grown;
    ULONGLONG n;

    if (want <= *cap) return TRUE;
    n = *cap ? (ULONGLONG)*cap * 2 : 256;
    if (n < want) n = want;
    if (n > total) n = total;
    if (!(grown = alloc_items(*items, n))) return FALSE;
    *items = grown;
    *cap = (ULONG)n;
    return TRUE;
}

static HRESULT too_many(const WCHAR *method, const WCHAR *what, REFIID iid, ULONGLONG count)
{
    return sr_error(E_INVALIDARG, iid, L"%ls: %ls has %I64u elements, more than one call can take (%lu)", method,
                    what, count, (ULONG)SR_MAX_ITEMS);
}

/* A JScript array arrives as an object (VT_DISPATCH), not a SAFEARRAY: its "length" property, then the
 * properties "0", "1", ... through IDispatch. FALSE when the object has no "length" (not array-like). */
static BOOL dispatch_items(const WCHAR *method, const WCHAR *what, REFIID iid, IDispatch *disp, VARIANT **items,
                           ULONG *count, HRESULT *hr)
{
    DISPPARAMS none = { NULL, NULL, 0, 0 };
    WCHAR index[24];
    LPOLESTR name = (LPOLESTR)L"length";
    ULONGLONG total;
    ULONG i, cap = 0, done = 0;
    VARIANT v, num;
    VARIANT *buf = NULL;
    DISPID id;

    if (FAILED(IDispatch_GetIDsOfNames(disp, &IID_NULL, &name, 1, LOCALE_USER_DEFAULT, &id))) return FALSE;
    VariantInit(&v);
    VariantInit(&num);
    *hr = IDispatch_Invoke(disp, id, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_PROPERTYGET, &none, &v, NULL, NULL);
    if (FAILED(*hr) || FAILED(VariantChangeType(&num, &v, 0, VT_R8)))
    {
        *hr = sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: the length of the %ls array cannot be read", method, what);
        goto done;
    }
    VariantClear(&v);
    if (FAILED(*hr = arg_number(method, L"the array's length", V_R8(&num), iid, &total))) goto done;
    if (total > SR_MAX_ITEMS)
    {
        *hr = too_many(method, what, iid, total);
        goto done;
    }
    for (i = 0; i < (ULONG)total; i++)
    {
        if (!grow_items(&buf, &cap, i + 1, (ULONG)total))
        {
            *hr = sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for %I64u elements", method, total);
            goto done;
        }
        __mingw_snwprintf(index, ARRAY_SIZE(index), L"%lu", i);
        name = index;
        VariantInit(&buf[i]);
        if (FAILED(IDispatch_GetIDsOfNames(disp, &IID_NULL, &name, 1, LOCALE_USER_DEFAULT, &id))
            || FAILED(IDispatch_Invoke(disp, id, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_PROPERTYGET, &none,
                                       &buf[i], NULL, NULL)))
        {
            VariantClear(&buf[i]);
            *hr = sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: element %lu of %ls is missing", method, i, what);
            goto done;
        }
        done = i + 1;
    }
    *items = total ? buf : NULL;
    *count = (ULONG)total;
    if (!total) HeapFree(GetProcessHeap(), 0, buf);
    buf = NULL;
    *hr = S_OK;

done:
    if (buf) values_free(buf, done);
    VariantClear(&v);
    VariantClear(&num);
    return TRUE;
}

/* The size of one element of a SAFEARRAY of vt that holds numbers or text; 0 for any other type. */
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

HRESULT values_open(const WCHAR *method, const WCHAR *what, REFIID iid, const VARIANT *arg, const WCHAR *expect,
                    struct sr_array *a)
{
    const VARIANT *v;
    SAFEARRAY *sa;
    VARTYPE vt;
    ULONGLONG n;
    ULONG size;
    void *data;
    HRESULT hr = S_OK;

    memset(a, 0, sizeof(*a));
    if (!(v = arg_deref(arg))) return arg_ref_error(method, what, iid); /* one level, as IDispatch unwraps a variable */
    if ((V_VT(v) & ~VT_BYREF) == VT_DISPATCH)
    {
        IDispatch *disp = (V_VT(v) & VT_BYREF) ? *V_DISPATCHREF(v) : V_DISPATCH(v);
        if (disp && dispatch_items(method, what, iid, disp, &a->items, &a->count, &hr)) return hr;
    }
    if (!(V_VT(v) & VT_ARRAY))
        return sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: %ls must be %ls, not %ls", method, what,
                        expect ? expect : L"an array (a Variant(), a typed array or a JScript array)",
                        arg_missing(v) ? L"missing" : vt_name(V_VT(v) & ~VT_BYREF));
    if ((V_VT(v) & VT_BYREF) && !V_BYREF(v))
        return sr_error(E_INVALIDARG, iid, L"%ls: %ls is a by-reference array with a NULL reference", method, what);
    sa = (V_VT(v) & VT_BYREF) ? *V_ARRAYREF(v) : V_ARRAY(v);
    vt = V_VT(v) & VT_TYPEMASK;
    if (!sa || SafeArrayGetDim(sa) == 0) return S_OK; /* an empty array */
    /* Each element is read at the size its type says: the array must really hold elements of that size,
     * or the reads would run past them (an array of records or variants labelled as numbers). */
    size = element_size(vt);
    if (!size || SafeArrayGetElemsize(sa) != size)
        return sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: %ls must be %ls; this array's elements (type %u, %u bytes "
                        L"each) cannot be read as numbers", method, what, expect ? expect : L"an array of numbers", vt,
                        SafeArrayGetElemsize(sa));
    if (SafeArrayGetDim(sa) != 1)
        return sr_error(E_INVALIDARG, iid, L"%ls: %ls must be a one-dimensional array, not %u-dimensional", method,
                        what, SafeArrayGetDim(sa));
    /* Locked for as long as it is walked, and its count read after the lock: the caller cannot ReDim or
     * Erase it meanwhile. The count itself, not an upper bound computed from it (which wraps past 2^31). */
    if (FAILED(hr = SafeArrayAccessData(sa, &data)))
        return sr_error(hr, iid, L"%ls: the elements of %ls cannot be read", method, what);
    n = sa->rgsabound[0].cElements;
    if (n > SR_MAX_COUNT)
    {
        SafeArrayUnaccessData(sa);
        return sr_error(E_INVALIDARG, iid, L"%ls: %ls has too many elements", method, what);
    }
    a->sa = sa;
    a->data = data;
    a->vt = vt;
    a->size = size;
    a->lower = sa->rgsabound[0].lLbound;
    a->count = (ULONG)n;
    return S_OK;
}

HRESULT values_item(const WCHAR *method, const WCHAR *what, REFIID iid, const struct sr_array *a, ULONG k,
                    VARIANT *out)
{
    const BYTE *el;
    HRESULT hr = S_OK;

    VariantInit(out);
    if (a->items) hr = VariantCopy(out, &a->items[k]);
    else
    {
        el = a->data + (SIZE_T)k * a->size;
        switch (a->vt)
        {
        case VT_VARIANT:
            hr = VariantCopy(out, (VARIANT *)el);
            break;
        case VT_BSTR:
            V_VT(out) = VT_BSTR;
            V_BSTR(out) = NULL;
            if (*(BSTR *)el && !(V_BSTR(out) = SysAllocStringLen(*(BSTR *)el, SysStringLen(*(BSTR *)el))))
                hr = E_OUTOFMEMORY;
            break;
        case VT_DISPATCH: case VT_UNKNOWN:
            V_VT(out) = a->vt;
            V_UNKNOWN(out) = *(IUnknown **)el;
            if (V_UNKNOWN(out)) IUnknown_AddRef(V_UNKNOWN(out));
            break;
        case VT_DECIMAL:
            memcpy(&V_DECIMAL(out), el, sizeof(DECIMAL));
            V_VT(out) = VT_DECIMAL;
            break;
        default:
            memcpy(&V_I1(out), el, a->size);
            V_VT(out) = a->vt;
            break;
        }
    }
    if (FAILED(hr))
    {
        VariantInit(out);
        hr = sr_error(hr, iid, L"%ls: element %ld of %ls cannot be read", method, (LONG)((LONGLONG)a->lower + k), what);
    }
    return hr;
}

void values_close(struct sr_array *a)
{
    if (a->sa) SafeArrayUnaccessData(a->sa);
    values_free(a->items, a->count);
    memset(a, 0, sizeof(*a));
}

HRESULT values_take(const WCHAR *method, const WCHAR *what, REFIID iid, struct sr_array *a, VARIANT **items)
{
    VARIANT *buf = NULL;
    ULONG k;
    HRESULT hr = S_OK;

    *items = NULL;
    if (a->items)
    {
        /* A JScript array's elements are VARIANTs already: handed over as they are. */
        *items = a->items;
        a->items = NULL;
        goto done;
    }
    if (!a->count) goto done;
    if (a->count > SR_MAX_ITEMS)
    {
        hr = too_many(method, what, iid, a->count);
        goto done;
    }
    if (!(buf = alloc_items(NULL, a->count)))
    {
        hr = sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for %lu elements", method, a->count);
        goto done;
    }
    for (k = 0; k < a->count && SUCCEEDED(hr); k++) hr = values_item(method, what, iid, a, k, &buf[k]);
    if (SUCCEEDED(hr))
    {
        *items = buf;
        buf = NULL;
    }

done:
    if (buf) values_free(buf, a->count); /* zero-filled: the elements not yet copied clear as VT_EMPTY */
    return hr;
}

HRESULT values_collect(const WCHAR *method, const WCHAR *what, REFIID iid, const VARIANT *arg, VARIANT **items,
                       ULONG *count)
{
    struct sr_array a;
    HRESULT hr;

    *items = NULL;
    *count = 0;
    if (FAILED(hr = values_open(method, what, iid, arg, NULL, &a))) return hr;
    if (SUCCEEDED(hr = values_take(method, what, iid, &a, items))) *count = *items ? a.count : 0;
    values_close(&a);
    return hr;
}
