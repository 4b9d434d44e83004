/*
 * SharedRegion server: the data members (ISharedData: ReadBytes ... CalcSize), written once for
 * both regions and views (members.h connects them to the two vtables). Offsets are relative to the
 * span: a region's start at 0, a view's at its own first byte. Numbers, text and struct formats go
 * through the codecs (codec.h); this file checks arguments and bounds and moves the bytes.
 *
 * What a failed call changes. Every argument is checked, and every value encoded into a buffer of
 * ours, before any byte of shared memory moves, and each call then moves its bytes with one span_io
 * (one copy under the span's lock). So a call refused for an argument, a value, a format, the
 * bounds, the access or the object's state changes nothing. Two failures can happen during the
 * copy itself, and then the bytes before the failure have moved and those from it on have not:
 *   - SR_E_PAGEFAULT: the page behind a byte could not be read in or written (a truncated or
 *     unreadable file); the message names that byte's offset, so [offset, that byte) was written
 *     (or, for ReadInto, filled into the caller's buffer);
 *   - a region over 64 MiB, and one call that moves more than its sliding window holds (64 MiB less
 *     64 KiB): when the window cannot be moved for the next chunk (the process is out of address
 *     space), the message names where that window was to start, and the chunks before it were
 *     written. Anything smaller (every typed value, array or frame that fits) is one copy in one
 *     window, wherever it lies (span_io).
 * Shared memory has no transaction to roll back into: another process may already have read the
 * new bytes, and writing the old ones back could fault the same way.
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

/* Turn the data argument of WriteBytes into bytes. *locked is set when *bytes points into that
 * SAFEARRAY (unaccess it after the write); otherwise *bytes is a heap buffer (NULL when empty). */
static HRESULT data_bytes(const WCHAR *method, REFIID iid, const VARIANT *arg, BYTE **bytes, ULONGLONG *n,
                          SAFEARRAY **locked)
{
    const VARIANT *v = arg;
    SAFEARRAY *sa = NULL;
    VARIANT *items = NULL;
    ULONG count = 0, k;
    LONG lo = 0, hi;
    VARTYPE vt;
    BYTE *buf;
    HRESULT hr;

    *bytes = NULL;
    *n = 0;
    *locked = NULL;
    if (!(v = arg_deref(arg)))
        return sr_error(E_INVALIDARG, iid, L"%ls: data is a by-reference VARIANT that refers to nothing usable "
                        L"(a NULL reference, or a reference to another reference)", method);
    vt = V_VT(v) & VT_TYPEMASK;
    if ((V_VT(v) & VT_ARRAY) && !((V_VT(v) & VT_BYREF) && !V_BYREF(v)))
        sa = (V_VT(v) & VT_BYREF) ? *V_ARRAYREF(v) : V_ARRAY(v);
    /* A Byte() array (or one of VT_I1) is written from its own memory, without a copy per element;
     * every other shape goes through values_collect, which words its own structural errors. */
    if (sa && SafeArrayGetDim(sa) == 1 && (vt == VT_UI1 || vt == VT_I1) && SafeArrayGetElemsize(sa) == 1)
    {
        SafeArrayGetLBound(sa, 1, &lo);
        SafeArrayGetUBound(sa, 1, &hi);
        if (hi < lo) return S_OK;
        if (FAILED(hr = SafeArrayAccessData(sa, (void **)&buf)))
            return sr_error(hr, iid, L"%ls: the elements of data cannot be read", method);
        *n = (ULONGLONG)((LONGLONG)hi - lo + 1);
        /* VT_I1 is range-checked like every other type: -1 is not a byte. */
        for (k = 0; vt == VT_I1 && k < *n; k++)
        {
            VARIANT el;
            BYTE unused;
            if (((signed char *)buf)[k] >= 0) continue;
            V_VT(&el) = VT_I1;
            V_I1(&el) = ((signed char *)buf)[k];
            hr = element_to_byte(method, iid, (LONG)((LONGLONG)lo + k), &el, &unused);
            SafeArrayUnaccessData(sa);
            *n = 0;
            return hr;
        }
        *bytes = buf;
        *locked = sa;
        return S_OK;
    }
    if (FAILED(hr = values_collect_as(method, L"data", iid, v, L"a Byte() array or an array of numbers 0..255",
                                      &items, &count)))
        return hr;
    if (!count) return S_OK;
    /* Messages name an element by its index in the caller's array, which need not start at 0. */
    if (sa) SafeArrayGetLBound(sa, 1, &lo);
    if (!(buf = HeapAlloc(GetProcessHeap(), 0, count)))
    {
        hr = sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for %lu bytes", method, count);
        goto done;
    }
    for (k = 0; k < count; k++)
        if (FAILED(hr = element_to_byte(method, iid, (LONG)((LONGLONG)lo + k), &items[k], &buf[k]))) break;
    if (FAILED(hr))
    {
        HeapFree(GetProcessHeap(), 0, buf);
        goto done;
    }
    *bytes = buf;
    *n = count;

done:
    values_free(items, count);
    return hr;
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

HRESULT data_read_string(struct sr_span *s, double offset, VARIANT max_bytes, VARIANT encoding, BSTR *text)
{
    static const WCHAR method[] = L"ReadString";
    const ULONGLONG step = 64 * 1024;
    ULONGLONG off, limit, size, len = 0, cap = 0;
    struct sr_encoding enc;
    BYTE *buf = NULL, *end = NULL;
    HRESULT hr;

    if (!text) return sr_error(E_POINTER, span_iid(s), L"%ls: the result pointer is NULL", method);
    *text = NULL;
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = arg_opt_number(method, L"maxBytes", &max_bytes, SR_MAX_COUNT, span_iid(s), &limit))) return hr;
    if (FAILED(hr = text_parse_encoding(method, span_iid(s), &encoding, &enc))) return hr;
    if (limit > SR_MAX_COUNT) limit = SR_MAX_COUNT;

    /* Read in steps up to the terminator (one zero code unit of the encoding, at a whole unit from
     * offset), maxBytes or the end of the span, whichever is first. */
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
        if (enc.unit == 1)
        {
            for (i = 0; i < want; i++) if (!buf[len + i]) { end = buf + len + i; break; }
        }
        else
        {
            /* step is even, so a unit never spans two steps: the unit at len + i starts at an even i */
            for (i = (len & 1); i + 1 < want; i += 2)
                if (!buf[len + i] && !buf[len + i + 1]) { end = buf + len + i; break; }
        }
        len += want;
        if (end) break;
    }
    if (!end) end = buf + len;
    if (end == buf || !buf)
    {
        if (!(*text = SysAllocStringLen(NULL, 0))) hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory", method);
        else hr = S_OK;
    }
    else hr = text_decode(method, span_iid(s), &enc, buf, (SIZE_T)(end - buf), off, text);

done:
    HeapFree(GetProcessHeap(), 0, buf);
    return hr;
}

HRESULT data_write_string(struct sr_span *s, double offset, BSTR text, VARIANT encoding, VARIANT terminate,
                          LONG *written)
{
    static const WCHAR method[] = L"WriteString";
    UINT chars = text ? SysStringLen(text) : 0;
    ULONGLONG off;
    struct sr_encoding enc;
    SIZE_T n = 0, extra;
    BOOL term;
    BYTE *bytes = NULL;
    HRESULT hr;

    if (!written) return sr_error(E_POINTER, span_iid(s), L"%ls: the result pointer is NULL", method);
    *written = 0;
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = text_parse_encoding(method, span_iid(s), &encoding, &enc))) return hr;
    if (FAILED(hr = arg_opt_bool(method, L"terminate", &terminate, TRUE, span_iid(s), &term))) return hr;

    if (chars > SR_MAX_COUNT / 4)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: the text is too long (%u characters)", method, chars);
    extra = term ? enc.unit : 0;  /* the terminator: one zero code unit */
    if (FAILED(hr = text_encode(method, span_iid(s), &enc, text ? text : L"", chars, extra, &bytes, &n))) return hr;
    if ((ULONGLONG)n + extra > SR_MAX_COUNT)
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: the text is too long", method);
    else if (SUCCEEDED(hr = span_io(s, method, SPAN_WRITE, off, n + extra, bytes, 0)))
        *written = (LONG)(n + extra);
    HeapFree(GetProcessHeap(), 0, bytes);
    return hr;
}

/* Typed access: a fixed number of bytes at any offset, little-endian (as x86/x64 memory is). */
static HRESULT typed_read(struct sr_span *s, const WCHAR *method, double offset, void *value, ULONGLONG size)
{
    ULONGLONG off;
    HRESULT hr;

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

/* A VARIANT argument that is a reference to nothing usable (NULL, or another reference, which could
 * be itself) is refused here, before any codec looks at it: references are followed one level only. */
static HRESULT check_ref(struct sr_span *s, const WCHAR *method, const WCHAR *what, const VARIANT *v)
{
    if (arg_deref(v)) return S_OK;
    return sr_error(E_INVALIDARG, span_iid(s), L"%ls: %ls is a by-reference VARIANT that refers to nothing usable "
                    L"(a NULL reference, or a reference to another reference)", method, what);
}

#define CHECK_RESULT(method, p) \
    do { if (!(p)) return sr_error(E_POINTER, span_iid(s), L"%ls: the result pointer is NULL", method); } while (0)

/* A write of a number given as a double: the offset, then the value's range (values.c), then the bytes. */
static HRESULT number_write(struct sr_span *s, const WCHAR *method, enum sr_type type, double offset, double value)
{
    ULONGLONG off;
    BYTE bytes[8];
    HRESULT hr;

    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = value_encode_double(method, L"value", span_iid(s), type, value, bytes))) return hr;
    return span_io(s, method, SPAN_WRITE, off, value_type_size(type), bytes, 0);
}

/* The same for a value given as a VARIANT (the 64-bit writes: Decimal, VT_I8/VT_UI8, digit strings). */
static HRESULT variant_write(struct sr_span *s, const WCHAR *method, enum sr_type type, double offset,
                             const VARIANT *value)
{
    ULONGLONG off;
    BYTE bytes[8];
    HRESULT hr;

    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = check_ref(s, method, L"value", value))) return hr;
    if (FAILED(hr = value_encode(method, L"value", span_iid(s), type, value, bytes))) return hr;
    return span_io(s, method, SPAN_WRITE, off, value_type_size(type), bytes, 0);
}

HRESULT data_read_byte(struct sr_span *s, double offset, BYTE *value)
{
    CHECK_RESULT(L"ReadByte", value);
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
    CHECK_RESULT(L"ReadInt32", value);
    return typed_read(s, L"ReadInt32", offset, value, sizeof(*value));
}

HRESULT data_write_int32(struct sr_span *s, double offset, LONG value)
{
    return typed_write(s, L"WriteInt32", offset, &value, sizeof(value));
}

HRESULT data_read_double(struct sr_span *s, double offset, double *value)
{
    CHECK_RESULT(L"ReadDouble", value);
    return typed_read(s, L"ReadDouble", offset, value, sizeof(*value));
}

HRESULT data_write_double(struct sr_span *s, double offset, double value)
{
    return typed_write(s, L"WriteDouble", offset, &value, sizeof(value));
}

HRESULT data_read_int8(struct sr_span *s, double offset, SHORT *value)
{
    signed char v;
    HRESULT hr;

    CHECK_RESULT(L"ReadInt8", value);
    *value = 0;
    if (SUCCEEDED(hr = typed_read(s, L"ReadInt8", offset, &v, sizeof(v)))) *value = v;
    return hr;
}

HRESULT data_write_int8(struct sr_span *s, double offset, double value)
{
    return number_write(s, L"WriteInt8", SR_INT8, offset, value);
}

HRESULT data_read_int16(struct sr_span *s, double offset, SHORT *value)
{
    CHECK_RESULT(L"ReadInt16", value);
    return typed_read(s, L"ReadInt16", offset, value, sizeof(*value));
}

HRESULT data_write_int16(struct sr_span *s, double offset, double value)
{
    return number_write(s, L"WriteInt16", SR_INT16, offset, value);
}

HRESULT data_read_uint16(struct sr_span *s, double offset, LONG *value)
{
    USHORT v;
    HRESULT hr;

    CHECK_RESULT(L"ReadUInt16", value);
    *value = 0;
    if (SUCCEEDED(hr = typed_read(s, L"ReadUInt16", offset, &v, sizeof(v)))) *value = v;
    return hr;
}

HRESULT data_write_uint16(struct sr_span *s, double offset, double value)
{
    return number_write(s, L"WriteUInt16", SR_UINT16, offset, value);
}

HRESULT data_read_uint32(struct sr_span *s, double offset, double *value)
{
    ULONG v;
    HRESULT hr;

    CHECK_RESULT(L"ReadUInt32", value);
    *value = 0;
    if (SUCCEEDED(hr = typed_read(s, L"ReadUInt32", offset, &v, sizeof(v)))) *value = v;
    return hr;
}

HRESULT data_write_uint32(struct sr_span *s, double offset, double value)
{
    return number_write(s, L"WriteUInt32", SR_UINT32, offset, value);
}

HRESULT data_read_int64(struct sr_span *s, double offset, VARIANT *value)
{
    LONGLONG v;
    HRESULT hr;

    CHECK_RESULT(L"ReadInt64", value);
    VariantInit(value);
    if (SUCCEEDED(hr = typed_read(s, L"ReadInt64", offset, &v, sizeof(v)))) value_from_int64(v, value);
    return hr;
}

HRESULT data_write_int64(struct sr_span *s, double offset, VARIANT value)
{
    return variant_write(s, L"WriteInt64", SR_INT64, offset, &value);
}

HRESULT data_read_uint64(struct sr_span *s, double offset, VARIANT *value)
{
    ULONGLONG v;
    HRESULT hr;

    CHECK_RESULT(L"ReadUInt64", value);
    VariantInit(value);
    if (SUCCEEDED(hr = typed_read(s, L"ReadUInt64", offset, &v, sizeof(v)))) value_from_uint64(v, value);
    return hr;
}

HRESULT data_write_uint64(struct sr_span *s, double offset, VARIANT value)
{
    return variant_write(s, L"WriteUInt64", SR_UINT64, offset, &value);
}

HRESULT data_read_single(struct sr_span *s, double offset, double *value)
{
    float v;
    HRESULT hr;

    CHECK_RESULT(L"ReadSingle", value);
    *value = 0;
    if (SUCCEEDED(hr = typed_read(s, L"ReadSingle", offset, &v, sizeof(v)))) *value = v; /* exact: every float is a double */
    return hr;
}

HRESULT data_write_single(struct sr_span *s, double offset, double value)
{
    return number_write(s, L"WriteSingle", SR_SINGLE, offset, value);
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

/* ---- arrays and structs: the bytes are copied once, then decoded; or encoded, then copied once ---- */

/* Scratch for one call's bytes: on the stack when small (a frame, a short array), else on the heap. */
struct scratch
{
    BYTE *p;
    BYTE local[512];
};

static BYTE *scratch_get(struct scratch *sc, SIZE_T n)
{
    sc->p = n <= sizeof(sc->local) ? sc->local : HeapAlloc(GetProcessHeap(), 0, n);
    return sc->p;
}

static void scratch_free(struct scratch *sc)
{
    if (sc->p && sc->p != sc->local) HeapFree(GetProcessHeap(), 0, sc->p);
    sc->p = NULL;
}

/* count elements of type: the bytes they take, or an error when one call cannot move that many. */
static HRESULT array_bytes(struct sr_span *s, const WCHAR *method, enum sr_type type, ULONGLONG count, SIZE_T *bytes)
{
    SIZE_T size = value_type_size(type);

    if (count > SR_MAX_COUNT / size)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: count %I64u of %ls is more than one call can move (%I64u bytes)",
                        method, count, value_type_name(type), SR_MAX_COUNT);
    *bytes = (SIZE_T)(count * size);
    return S_OK;
}

HRESULT data_read_array(struct sr_span *s, double offset, double count, VARIANT type, VARIANT *values)
{
    static const WCHAR method[] = L"ReadArray";
    struct scratch sc = { NULL };
    ULONGLONG off, n, i;
    enum sr_type t;
    SAFEARRAY *sa = NULL;
    VARIANT *items;
    SIZE_T bytes, size;
    HRESULT hr;

    CHECK_RESULT(method, values);
    VariantInit(values);
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = arg_number(method, L"count", count, span_iid(s), &n))) return hr;
    if (FAILED(hr = check_ref(s, method, L"type", &type))) return hr;
    if (FAILED(hr = value_parse_type(method, span_iid(s), &type, &t))) return hr;
    if (FAILED(hr = array_bytes(s, method, t, n, &bytes))) return hr;
    /* Bounds before memory: a count past the end allocates nothing. */
    if (FAILED(hr = span_check(s, method, off, bytes))) return hr;
    if (!scratch_get(&sc, bytes ? bytes : 1) || !(sa = SafeArrayCreateVector(VT_VARIANT, 0, (ULONG)n)))
    {
        hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory for %I64u elements", method, n);
        goto done;
    }
    if (FAILED(hr = span_io(s, method, SPAN_READ, off, bytes, sc.p, 0))) goto done;
    size = value_type_size(t);
    SafeArrayAccessData(sa, (void **)&items);
    for (i = 0; i < n; i++) value_decode(t, sc.p + i * size, &items[i]);
    SafeArrayUnaccessData(sa);
    V_VT(values) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(values) = sa;
    sa = NULL;

done:
    if (sa) SafeArrayDestroy(sa);
    scratch_free(&sc);
    return hr;
}

HRESULT data_write_array(struct sr_span *s, double offset, VARIANT values, VARIANT type, LONG *written)
{
    static const WCHAR method[] = L"WriteArray";
    struct scratch sc = { NULL };
    VARIANT *items = NULL;
    ULONG count = 0, i;
    ULONGLONG off;
    enum sr_type t;
    SIZE_T bytes, size;
    HRESULT hr;

    CHECK_RESULT(method, written);
    *written = 0;
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = check_ref(s, method, L"values", &values)) || FAILED(hr = check_ref(s, method, L"type", &type)))
        return hr;
    if (FAILED(hr = value_parse_type(method, span_iid(s), &type, &t))) return hr;
    if (FAILED(hr = values_collect(method, L"values", span_iid(s), &values, &items, &count))) return hr;
    if (FAILED(hr = array_bytes(s, method, t, count, &bytes))) goto done;
    if (FAILED(hr = span_check(s, method, off, bytes))) goto done;
    if (!scratch_get(&sc, bytes ? bytes : 1))
    {
        hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory for %lu elements", method, count);
        goto done;
    }
    /* Every element is encoded before any byte is written: one bad element writes nothing. */
    size = value_type_size(t);
    for (i = 0; i < count; i++)
    {
        WCHAR what[32];
        __mingw_snwprintf(what, ARRAY_SIZE(what), L"element %lu", i);
        if (FAILED(hr = value_encode(method, what, span_iid(s), t, &items[i], sc.p + i * size))) goto done;
    }
    if (SUCCEEDED(hr = span_io(s, method, SPAN_WRITE, off, bytes, sc.p, 0))) *written = (LONG)count;

done:
    values_free(items, count);
    scratch_free(&sc);
    return hr;
}

/* The caller's Byte(): by reference (VBA's and VBScript's variables: VT_BYREF|VT_ARRAY|VT_UI1, or a
 * VT_BYREF|VT_VARIANT holding one, one level), or a VT_ARRAY|VT_UI1 whose SAFEARRAY is the caller's
 * own (C, and the IDispatch fast path, which hands the caller's argument over as it is). */
static HRESULT into_buffer(struct sr_span *s, const WCHAR *method, const VARIANT *arg, SAFEARRAY **out)
{
    const VARIANT *v = arg_deref(arg);
    SAFEARRAY *sa;
    HRESULT hr;

    *out = NULL;
    if (FAILED(hr = check_ref(s, method, L"buffer", arg))) return hr;
    if (V_VT(v) == (VT_BYREF | VT_ARRAY | VT_UI1))
    {
        if (!V_ARRAYREF(v))
            return sr_error(E_INVALIDARG, span_iid(s), L"%ls: buffer is a by-reference array with a NULL reference", method);
        sa = *V_ARRAYREF(v);
    }
    else if (V_VT(v) == (VT_ARRAY | VT_UI1)) sa = V_ARRAY(v);
    else
        return sr_error(DISP_E_TYPEMISMATCH, span_iid(s), L"%ls: buffer must be a Byte() array, not %ls%ls", method,
                        arg_missing(v) ? L"missing" : vt_name(V_VT(v) & ~VT_BYREF),
                        (V_VT(v) & VT_ARRAY) ? L" of another element type" : L"");
    if (sa && SafeArrayGetDim(sa) != 1)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: buffer must be a one-dimensional Byte() array, not %u-dimensional",
                        method, SafeArrayGetDim(sa));
    if (sa && SafeArrayGetElemsize(sa) != 1)
        return sr_error(DISP_E_TYPEMISMATCH, span_iid(s), L"%ls: buffer's elements are %u bytes each, not bytes",
                        method, SafeArrayGetElemsize(sa));
    *out = sa;
    return S_OK;
}

HRESULT data_read_into(struct sr_span *s, double offset, VARIANT buffer, LONG *count)
{
    static const WCHAR method[] = L"ReadInto";
    SAFEARRAY *sa;
    ULONGLONG off;
    ULONG n;
    HRESULT hr;

    CHECK_RESULT(method, count);
    *count = 0;
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = into_buffer(s, method, &buffer, &sa))) return hr;
    /* An array that was never given a size (Dim b() As Byte) has no bytes to fill. */
    n = sa ? sa->rgsabound[0].cElements : 0;
    if (!sa) return span_io(s, method, SPAN_READ, off, 0, NULL, 0);
    if (n > SR_MAX_COUNT)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: buffer has %lu bytes, more than one call can fill (%I64u)",
                        method, n, SR_MAX_COUNT);
    /* Locked for the copy: the caller cannot ReDim or Erase it under us. One guarded copy, no scratch. */
    if (FAILED(hr = SafeArrayLock(sa)))
        return sr_error(hr, span_iid(s), L"%ls: the buffer cannot be locked (error %#lx)", method, hr);
    if (SUCCEEDED(hr = span_io(s, method, SPAN_READ, off, n, sa->pvData, 0))) *count = (LONG)n;
    SafeArrayUnlock(sa);
    return hr;
}

/* A format argument as a string for format_parse (a NULL BSTR is the empty string). */
static const WCHAR *format_text(BSTR format)
{
    return format ? format : L"";
}

HRESULT data_unpack(struct sr_span *s, double offset, BSTR format, VARIANT encoding, VARIANT *values)
{
    static const WCHAR method[] = L"Unpack";
    struct scratch sc = { NULL };
    struct sr_format *f = NULL;
    struct sr_encoding enc;
    ULONGLONG off;
    SIZE_T size;
    HRESULT hr;

    CHECK_RESULT(method, values);
    VariantInit(values);
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = format_parse(method, span_iid(s), format_text(format), &f))) return hr;
    if (FAILED(hr = text_parse_encoding(method, span_iid(s), &encoding, &enc))) goto done;
    size = format_size(f);
    if (FAILED(hr = span_check(s, method, off, size))) goto done;
    if (!scratch_get(&sc, size ? size : 1))
    {
        hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory for %Iu bytes", method, size);
        goto done;
    }
    /* One copy of the whole frame under the span's lock: the fields are consistent with each other
     * as far as this process can make them (a writer that takes the region's Lock makes them so). */
    if (FAILED(hr = span_io(s, method, SPAN_READ, off, size, sc.p, 0))) goto done;
    hr = format_unpack(method, span_iid(s), f, sc.p, &enc, values);

done:
    scratch_free(&sc);
    if (f) format_release(f);
    return hr;
}

/* ---- records: a struct's fields by name (fieldnames.c, record.c) ---- */

/* A record of Unpack's values (flat, format order), grouped by the named fields. */
static HRESULT make_record(const WCHAR *method, REFIID iid, const struct sr_fieldnames *names, VARIANT *flat,
                           ISharedRecord **out)
{
    BSTR *field_names = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, names->count * sizeof(BSTR) + 1);
    VARIANT *values = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, names->count * sizeof(VARIANT) + 1);
    VARIANT *items = NULL;
    HRESULT hr = S_OK;
    ULONG i, k;

    *out = NULL;
    if (!field_names || !values || FAILED(SafeArrayAccessData(V_ARRAY(flat), (void **)&items)))
    {
        hr = E_OUTOFMEMORY;
        goto done;
    }
    for (i = 0; i < names->count && SUCCEEDED(hr); i++)
    {
        const struct sr_field *fld = &names->field[i];
        if (!(field_names[i] = SysAllocString(fld->name))) hr = E_OUTOFMEMORY;
        else if (!fld->array) hr = VariantCopy(&values[i], &items[fld->first]);
        else
        {
            SAFEARRAY *sa = SafeArrayCreateVector(VT_VARIANT, 0, (ULONG)fld->values);
            VARIANT *elem;
            if (!sa) hr = E_OUTOFMEMORY;
            else
            {
                SafeArrayAccessData(sa, (void **)&elem);
                /* Moved, not copied: the flat list is thrown away after this. */
                for (k = 0; k < fld->values; k++)
                {
                    elem[k] = items[fld->first + k];
                    V_VT(&items[fld->first + k]) = VT_EMPTY;
                }
                SafeArrayUnaccessData(sa);
                V_VT(&values[i]) = VT_ARRAY | VT_VARIANT;
                V_ARRAY(&values[i]) = sa;
            }
        }
    }
    SafeArrayUnaccessData(V_ARRAY(flat));
    if (SUCCEEDED(hr))
    {
        hr = record_create(names->count, field_names, values, out); /* takes both arrays, even on failure */
        field_names = NULL;
        values = NULL;
    }
done:
    if (field_names || values)
    {
        for (i = 0; i < names->count; i++)
        {
            if (field_names) SysFreeString(field_names[i]);
            if (values) VariantClear(&values[i]);
        }
        HeapFree(GetProcessHeap(), 0, field_names);
        HeapFree(GetProcessHeap(), 0, values);
    }
    return FAILED(hr) ? sr_error(hr, iid, L"%ls: out of memory for the record", method) : S_OK;
}

/* The format of a record: parsed with its names, every field but padding named. */
static HRESULT record_format(struct sr_span *s, const WCHAR *method, BSTR format, struct sr_fieldnames **names,
                             struct sr_format **f)
{
    HRESULT hr;

    *f = NULL;
    if (FAILED(hr = fieldnames_parse(method, span_iid(s), format_text(format), TRUE, names))) return hr;
    if (!(*names)->named)
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: format '%.100ls' names no field; write name:code, as gas:f or "
                      L"wheelSlip:4f", method, format_text(format));
    else hr = format_parse(method, span_iid(s), format_text(format), f);
    if (FAILED(hr))
    {
        fieldnames_free(*names);
        *names = NULL;
    }
    return hr;
}

HRESULT data_read_record(struct sr_span *s, double offset, BSTR format, VARIANT encoding, ISharedRecord **record)
{
    static const WCHAR method[] = L"ReadRecord";
    struct scratch sc = { NULL };
    struct sr_fieldnames *names = NULL;
    struct sr_format *f = NULL;
    struct sr_encoding enc;
    VARIANT flat;
    ULONGLONG off;
    SIZE_T size;
    HRESULT hr;

    CHECK_RESULT(method, record);
    *record = NULL;
    VariantInit(&flat);
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = record_format(s, method, format, &names, &f))) return hr;
    if (FAILED(hr = text_parse_encoding(method, span_iid(s), &encoding, &enc))) goto done;
    size = format_size(f);
    if (FAILED(hr = span_check(s, method, off, size))) goto done;
    if (!scratch_get(&sc, size ? size : 1))
    {
        hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory for %Iu bytes", method, size);
        goto done;
    }
    /* One copy of the whole struct, as Unpack makes. */
    if (FAILED(hr = span_io(s, method, SPAN_READ, off, size, sc.p, 0))) goto done;
    if (FAILED(hr = format_unpack(method, span_iid(s), f, sc.p, &enc, &flat))) goto done;
    hr = make_record(method, span_iid(s), names, &flat, record);

done:
    VariantClear(&flat);
    scratch_free(&sc);
    if (f) format_release(f);
    fieldnames_free(names);
    return hr;
}

HRESULT data_read_records(struct sr_span *s, double offset, double count, double stride, BSTR format,
                          VARIANT encoding, VARIANT *records)
{
    static const WCHAR method[] = L"ReadRecords";
    struct scratch sc = { NULL };
    struct sr_fieldnames *names = NULL;
    struct sr_format *f = NULL;
    struct sr_encoding enc;
    SAFEARRAY *sa = NULL;
    VARIANT *items = NULL;
    ULONGLONG off, n, step, span;
    SIZE_T size;
    ULONG i;
    HRESULT hr;

    CHECK_RESULT(method, records);
    VariantInit(records);
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = arg_number(method, L"count", count, span_iid(s), &n))) return hr;
    if (FAILED(hr = arg_number(method, L"stride", stride, span_iid(s), &step))) return hr;
    if (FAILED(hr = record_format(s, method, format, &names, &f))) return hr;
    if (FAILED(hr = text_parse_encoding(method, span_iid(s), &encoding, &enc))) goto done;
    size = format_size(f);
    if (!step) step = size;
    if (step < size)
    {
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: stride %I64u is smaller than the record (%Iu bytes): records "
                      L"would overlap", method, step, size);
        goto done;
    }
    /* One Variant() of records: its VARIANTs stay under 2^31 bytes. */
    if (n > SR_MAX_COUNT / sizeof(VARIANT))
    {
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: count %I64u is more records than one call returns (%I64u)",
                      method, n, (ULONGLONG)(SR_MAX_COUNT / sizeof(VARIANT)));
        goto done;
    }
    /* The whole span, bounds-checked before anything is read. */
    span = n ? (n - 1) * step + size : 0;
    if (n && (n - 1 > (ULONGLONG)SR_MAX_EXACT / step || span > (ULONGLONG)SR_MAX_EXACT))
    {
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: count %I64u records %I64u bytes apart reach past 2^53 bytes",
                      method, n, step);
        goto done;
    }
    if (FAILED(hr = span_check(s, method, off, span))) goto done;
    if (!scratch_get(&sc, size ? size : 1) || !(sa = SafeArrayCreateVector(VT_VARIANT, 0, (ULONG)n)))
    {
        hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory for %I64u records", method, n);
        goto done;
    }
    SafeArrayAccessData(sa, (void **)&items);
    for (i = 0; i < n && SUCCEEDED(hr); i++)
    {
        VARIANT flat;
        ISharedRecord *rec = NULL;
        VariantInit(&flat);
        if (SUCCEEDED(hr = span_io(s, method, SPAN_READ, off + i * step, size, sc.p, 0))
            && SUCCEEDED(hr = format_unpack(method, span_iid(s), f, sc.p, &enc, &flat))
            && SUCCEEDED(hr = make_record(method, span_iid(s), names, &flat, &rec)))
        {
            V_VT(&items[i]) = VT_DISPATCH;
            V_DISPATCH(&items[i]) = (IDispatch *)rec;
        }
        VariantClear(&flat);
    }
    SafeArrayUnaccessData(sa);
    if (SUCCEEDED(hr))
    {
        V_VT(records) = VT_ARRAY | VT_VARIANT;
        V_ARRAY(records) = sa;
        sa = NULL;
    }

done:
    if (sa) SafeArrayDestroy(sa);
    scratch_free(&sc);
    if (f) format_release(f);
    fieldnames_free(names);
    return hr;
}

HRESULT data_pack(struct sr_span *s, double offset, BSTR format, VARIANT values, VARIANT encoding, LONG *written)
{
    static const WCHAR method[] = L"Pack";
    struct scratch sc = { NULL };
    struct sr_format *f = NULL;
    struct sr_encoding enc;
    VARIANT *items = NULL;
    ULONG count = 0;
    ULONGLONG off;
    SIZE_T size;
    HRESULT hr;

    CHECK_RESULT(method, written);
    *written = 0;
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = format_parse(method, span_iid(s), format_text(format), &f))) return hr;
    if (FAILED(hr = text_parse_encoding(method, span_iid(s), &encoding, &enc))) goto done;
    if (FAILED(hr = check_ref(s, method, L"values", &values))) goto done;
    if (FAILED(hr = values_collect(method, L"values", span_iid(s), &values, &items, &count))) goto done;
    if (count != format_fields(f))
    {
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: format '%.100ls' has %lu field%ls, and %lu value%ls %ls given",
                      method, format_text(format), format_fields(f), format_fields(f) == 1 ? L"" : L"s", count,
                      count == 1 ? L"" : L"s", count == 1 ? L"was" : L"were");
        goto done;
    }
    size = format_size(f);
    if (size > SR_MAX_COUNT)
    {
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: format '%.100ls' is %Iu bytes, more than one call can write",
                      method, format_text(format), size);
        goto done;
    }
    if (FAILED(hr = span_check(s, method, off, size))) goto done;
    if (!scratch_get(&sc, size ? size : 1))
    {
        hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory for %Iu bytes", method, size);
        goto done;
    }
    /* Every field is encoded before any byte is written: a bad value writes nothing. */
    if (FAILED(hr = format_pack(method, span_iid(s), f, items, count, &enc, sc.p))) goto done;
    if (SUCCEEDED(hr = span_io(s, method, SPAN_WRITE, off, size, sc.p, 0))) *written = (LONG)size;

done:
    values_free(items, count);
    scratch_free(&sc);
    if (f) format_release(f);
    return hr;
}

HRESULT data_calc_size(struct sr_span *s, BSTR format, LONG *bytes)
{
    static const WCHAR method[] = L"CalcSize";
    struct sr_format *f;
    SIZE_T size;
    HRESULT hr;

    CHECK_RESULT(method, bytes);
    *bytes = 0;
    /* No span: a format's size does not depend on the object, open or closed. */
    if (FAILED(hr = format_parse(method, span_iid(s), format_text(format), &f))) return hr;
    size = format_size(f);
    format_release(f);
    if (size > 0x7fffffff)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: format '%.100ls' is %Iu bytes, more than a Long holds",
                        method, format_text(format), size);
    *bytes = (LONG)size;
    return S_OK;
}

/* ---- live data: guarded snapshots (snapshot.c takes them) and change waits ---- */

static HRESULT check_timeout(struct sr_span *s, const WCHAR *method, LONG timeout)
{
    if (timeout < -1)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: timeoutMs %ld is negative (use -1 to wait forever)",
                        method, timeout);
    return S_OK;
}

HRESULT data_snapshot(struct sr_span *s, double offset, double count, VARIANT guard, LONG timeout, ISharedSnapshot **copy)
{
    static const WCHAR method[] = L"Snapshot";
    const VARIANT *g = arg_deref(&guard);
    BSTR text = NULL, owned = NULL;
    ULONGLONG off, n;
    HRESULT hr;

    CHECK_RESULT(method, copy);
    *copy = NULL;
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = arg_number(method, L"count", count, span_iid(s), &n))) return hr;
    if (n > SR_MAX_COUNT)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: count %I64u is more than one snapshot can hold (%I64u bytes)",
                        method, n, SR_MAX_COUNT);
    if (FAILED(hr = check_timeout(s, method, timeout))) return hr;
    /* A String guard is read where it is: converting it would copy it, which costs a snapshot of a
     * few KiB as much as its copy does. Anything else is converted as any optional string is. */
    if (g && V_VT(g) == VT_BSTR) text = V_BSTR(g);
    else if (FAILED(hr = arg_opt_string(method, L"guard", &guard, span_iid(s), &owned))) return hr;
    else text = owned;
    if (SUCCEEDED(hr = arg_no_nul(method, L"guard", text, span_iid(s))))
        hr = snapshot_take(s, off, n, text, timeout == -1 ? INFINITE : (DWORD)timeout, copy);
    SysFreeString(owned);
    return hr;
}

/* WaitChange reads the number with one guarded copy under the span's lock (span_io), at any offset,
 * not with an atomic load: a read that tears because a write is in progress can only differ from
 * `previous` when bytes of the number have changed, which is the change it waits for. */
HRESULT data_wait_change(struct sr_span *s, double offset, LONG timeout, VARIANT type, VARIANT previous,
                         VARIANT_BOOL *changed)
{
    static const WCHAR method[] = L"WaitChange";
    BYTE was[8], now[8];
    ULONGLONG off, start;
    struct sr_pacer pacer;
    enum sr_type t = SR_UINT32;
    SIZE_T size;
    HRESULT hr;

    CHECK_RESULT(method, changed);
    *changed = VARIANT_FALSE;
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = check_timeout(s, method, timeout))) return hr;
    if (FAILED(hr = check_ref(s, method, L"type", &type)) || FAILED(hr = check_ref(s, method, L"previous", &previous)))
        return hr;
    if (!arg_missing(arg_deref(&type)) && FAILED(hr = value_parse_type(method, span_iid(s), &type, &t))) return hr;
    size = value_type_size(t);
    /* previous is encoded as the type stores it (range-checked as a write would be), then compared bit for bit. */
    if (!arg_missing(arg_deref(&previous)))
    {
        if (FAILED(hr = value_encode(method, L"previous", span_iid(s), t, &previous, was))) return hr;
        if (FAILED(hr = span_check(s, method, off, size))) return hr;
    }
    else if (FAILED(hr = span_io(s, method, SPAN_READ, off, size, was, 0))) return hr;

    pacer_init(&pacer);
    start = GetTickCount64();
    for (;;)
    {
        if (FAILED(hr = span_io(s, method, SPAN_READ, off, size, now, 0))) break;
        if (memcmp(now, was, size))
        {
            *changed = VARIANT_TRUE;
            break;
        }
        if (timeout != -1 && GetTickCount64() - start >= (ULONGLONG)timeout) break;
        if (timeout == -1 && s->kind == SPAN_SNAPSHOT)
        {
            hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: a snapshot never changes, so waiting for ever for the "
                          L"number at offset %I64u to change would never end; give a timeout", method, off);
            break;
        }
        pacer_wait(&pacer);
    }
    pacer_done(&pacer);
    TRACE("WaitChange(%I64u, %ld) -> %#lx, %d", off, timeout, hr, *changed);
    return hr;
}
