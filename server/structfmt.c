/*
 * SharedRegion server: Python's struct format language, plus SharedRegion's Nw (wchar_t[N]).
 *
 * Parsing follows CPython's Modules/_struct.c rule for rule, so that a format means here what it
 * means to Python's struct module on the same layout:
 *   - an optional first character @ = < > ! (none means @); @ is the DLL's own native sizes and
 *     alignment (this is a Windows DLL: long is 4 bytes; n, N and P are 4 or 8 bytes with its
 *     bitness), the others standard sizes without alignment, little-endian for < and =, big-endian
 *     for > and !; n, N and P exist only in native mode;
 *   - whitespace between codes is ignored, but not between a count and its code;
 *   - a count repeats a code, except for s and p (the string's length in bytes), w (its length in
 *     UTF-16 code units) and x (pad bytes); in native mode each code is aligned, even with count 0,
 *     and no padding is added after the last code;
 *   - a NUL character is refused, as Python refuses it (data.c checks the BSTR, which can hold one).
 * The limits (docs/hardening.md, "Size and count limits"): a format of at most SR_MAX_FORMAT
 * characters, checked before anything is allocated; a struct of at most SR_MAX_COUNT bytes, its size
 * and offsets kept in ULONGLONG and checked after each code's alignment padding, so that nothing
 * wraps in either bitness; Unpack returns at most SR_MAX_ITEMS fields.
 * A parsed format is immutable and reference counted; the last 16 formats are kept in a small cache,
 * because scripts call Unpack in loops with the same format string.
 */
#include <math.h>
#include <stddef.h>
#include <wchar.h>
#include "private.h"

#define ALIGN_OF(type) offsetof(struct { char c; type x; }, x)

struct code_info
{
    char code;
    BYTE std_size;           /* 0: native only */
    BYTE native_size;
    BYTE native_align;
};

static const struct code_info codes[] =
{
    { 'x', 1, 1, 1 },
    { 'c', 1, 1, 1 },
    { 'b', 1, 1, 1 },
    { 'B', 1, 1, 1 },
    { '?', 1, sizeof(_Bool), ALIGN_OF(_Bool) },
    { 'h', 2, sizeof(short), ALIGN_OF(short) },
    { 'H', 2, sizeof(short), ALIGN_OF(short) },
    { 'i', 4, sizeof(int), ALIGN_OF(int) },
    { 'I', 4, sizeof(int), ALIGN_OF(int) },
    { 'l', 4, sizeof(long), ALIGN_OF(long) },
    { 'L', 4, sizeof(long), ALIGN_OF(long) },
    { 'q', 8, sizeof(long long), ALIGN_OF(long long) },
    { 'Q', 8, sizeof(long long), ALIGN_OF(long long) },
    { 'n', 0, sizeof(SSIZE_T), ALIGN_OF(SSIZE_T) },
    { 'N', 0, sizeof(SIZE_T), ALIGN_OF(SIZE_T) },
    { 'e', 2, 2, ALIGN_OF(short) },
    { 'f', 4, sizeof(float), ALIGN_OF(float) },
    { 'd', 8, sizeof(double), ALIGN_OF(double) },
    { 's', 1, 1, 1 },
    { 'p', 1, 1, 1 },
    { 'P', 0, sizeof(void *), ALIGN_OF(void *) },
    { 'w', 2, sizeof(WCHAR), ALIGN_OF(WCHAR) },
};

struct fmt_item
{
    char code;
    BYTE size;               /* bytes per element (per character for s, p, w) */
    BYTE type;               /* enum sr_type of an integer or float code (the typed reads' rules) */
    ULONG count;             /* repeat count, or the length for s, p, w, x */
    ULONGLONG offset;        /* the first element's offset in the struct (at most SR_MAX_COUNT) */
    ULONG field;             /* the first value's index */
};

struct sr_format
{
    LONG ref;
    BOOL big_endian;
    ULONGLONG size;          /* at most SR_MAX_COUNT */
    ULONG fields;
    ULONG count;             /* items */
    WCHAR *text;             /* the format string, the cache's key */
    struct fmt_item item[1];
};

ULONGLONG format_size(const struct sr_format *f) { return f->size; }
ULONG format_fields(const struct sr_format *f) { return f->fields; }

static const struct code_info *find_code(WCHAR c)
{
    unsigned int i;
    for (i = 0; i < ARRAY_SIZE(codes); i++) if (codes[i].code == c) return &codes[i];
    return NULL;
}

static BOOL is_space(WCHAR c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The character at a position, for messages: itself when printable, else its code. */
static void char_text(WCHAR c, WCHAR *buf, size_t size)
{
    if (c > 0x20 && c < 0x7f) __mingw_snwprintf(buf, size, L"'%lc'", c);
    else __mingw_snwprintf(buf, size, L"U+%04X", c);
    buf[size - 1] = 0;
}

static enum sr_type code_type(char code, SIZE_T size);

static HRESULT parse(const WCHAR *method, REFIID iid, const WCHAR *text, struct sr_format **out)
{
    struct sr_format *f = NULL;
    const WCHAR *p = text;
    BOOL native = TRUE;
    SIZE_T len = wcslen(text);
    ULONGLONG size = 0, fields = 0;
    ULONG items = 0;
    WCHAR ch[16];
    HRESULT hr = S_OK;

    *out = NULL;
    /* Items are at most one per character of the format: the length is bounded before that many are
     * allocated, so the allocation's size cannot wrap. */
    if (len > SR_MAX_FORMAT)
        return sr_error(E_INVALIDARG, iid, L"%ls: the format is %Iu characters long, more than a format may have (%u)",
                        method, len, SR_MAX_FORMAT);
    if (!(f = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY,
                        offsetof(struct sr_format, item) + (len + 1) * sizeof(struct fmt_item))))
        return sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for the format", method);
    f->ref = 1;
    switch (*p)
    {
    case '@': p++; break;
    case '=': case '<': native = FALSE; p++; break;
    case '>': case '!': native = FALSE; f->big_endian = TRUE; p++; break;
    }
    while (*p)
    {
        const struct code_info *info;
        struct fmt_item *it;
        ULONGLONG num = 1, elem, align;
        const WCHAR *code;

        if (is_space(*p)) { p++; continue; }
        if (*p >= '0' && *p <= '9')
        {
            const WCHAR *start = p;
            for (num = 0; *p >= '0' && *p <= '9'; p++)
            {
                num = num * 10 + (*p - '0');
                if (num > SR_MAX_COUNT)
                {
                    hr = sr_error(E_INVALIDARG, iid, L"%ls: format \"%.100ls\": the count at position %Iu is too "
                                  L"large (the struct would be over %I64u bytes)", method, text, start - text,
                                  SR_MAX_COUNT);
                    goto done;
                }
            }
            if (!*p)
            {
                hr = sr_error(E_INVALIDARG, iid, L"%ls: format \"%.100ls\": the count at position %Iu has no code "
                              L"after it", method, text, start - text);
                goto done;
            }
        }
        code = p++;
        info = find_code(*code);
        char_text(*code, ch, ARRAY_SIZE(ch));
        if (!info)
        {
            hr = sr_error(E_INVALIDARG, iid, L"%ls: format \"%.100ls\" has a bad character %ls at position %Iu",
                          method, text, ch, code - text);
            goto done;
        }
        if (!native && !info->std_size)
        {
            hr = sr_error(E_INVALIDARG, iid, L"%ls: format \"%.100ls\": the code %ls at position %Iu exists only in "
                          L"native mode ('@' or no prefix)", method, text, ch, code - text);
            goto done;
        }
        elem = native ? info->native_size : info->std_size;
        align = native ? info->native_align : 1;
        /* size is at most SR_MAX_COUNT before the padding (at most 7) and num * elem at most
         * 8 * SR_MAX_COUNT: neither wraps a ULONGLONG, and the whole is checked after the padding. */
        if (size % align) size += align - size % align;
        if (size > SR_MAX_COUNT || num * elem > SR_MAX_COUNT - size)
        {
            hr = sr_error(E_INVALIDARG, iid, L"%ls: format \"%.100ls\": the struct is over %I64u bytes at position %Iu",
                          method, text, SR_MAX_COUNT, code - text);
            goto done;
        }
        it = &f->item[items++];
        it->code = (char)*code;
        it->size = (BYTE)elem;
        it->type = (BYTE)code_type(it->code, it->size);
        it->count = (ULONG)num;
        it->offset = size;
        it->field = (ULONG)fields;
        size += num * elem;
        if (*code == 's' || *code == 'p' || *code == 'w') fields++;
        else if (*code != 'x') fields += num;
        if (fields > SR_MAX_COUNT)
        {
            hr = sr_error(E_INVALIDARG, iid, L"%ls: format \"%.100ls\" has too many fields", method, text);
            goto done;
        }
    }
    f->size = size;
    f->fields = (ULONG)fields;
    f->count = items;
    if (!(f->text = sr_strdupW(text)))
    {
        hr = sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for the format", method);
        goto done;
    }
    *out = f;
    f = NULL;

done:
    if (f) HeapFree(GetProcessHeap(), 0, f);
    return hr;
}

static void format_free(struct sr_format *f)
{
    HeapFree(GetProcessHeap(), 0, f->text);
    HeapFree(GetProcessHeap(), 0, f);
}

void format_release(struct sr_format *f)
{
    if (f && !InterlockedDecrement(&f->ref)) format_free(f);
}

/* ---- the cache: the last formats parsed, each holding one reference ---- */

static SRWLOCK cache_lock = SRWLOCK_INIT;
static struct sr_format *cache[16];
static unsigned int cache_next;      /* the slot the next new format takes (round robin); under the lock */

HRESULT format_parse(const WCHAR *method, REFIID iid, const WCHAR *format, struct sr_format **out)
{
    struct sr_format *f = NULL, *old = NULL;
    unsigned int i;
    HRESULT hr;

    *out = NULL;
    if (!format) format = L"";
    AcquireSRWLockShared(&cache_lock);
    for (i = 0; i < ARRAY_SIZE(cache) && !f; i++)
        if (cache[i] && !wcscmp(cache[i]->text, format))
        {
            f = cache[i];
            InterlockedIncrement(&f->ref);
        }
    ReleaseSRWLockShared(&cache_lock);
    if (f)
    {
        *out = f;
        return S_OK;
    }
    if (wcschr(format, ':'))
    {
        /* Named fields (fieldnames.c): parsed without their names, kept under the text as written. */
        struct sr_fieldnames *names;
        WCHAR *text;
        if (FAILED(hr = fieldnames_parse(method, iid, format, FALSE, &names))) return hr;
        hr = parse(method, iid, names->plain, &f);
        fieldnames_free(names);
        if (FAILED(hr)) return hr;
        if (!(text = sr_strdupW(format)))
        {
            format_free(f);
            return sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for the format", method);
        }
        HeapFree(GetProcessHeap(), 0, f->text);
        f->text = text;
    }
    else if (FAILED(hr = parse(method, iid, format, &f))) return hr;
    /* Another thread may have added the same format meanwhile: a second copy is harmless. */
    InterlockedIncrement(&f->ref);
    AcquireSRWLockExclusive(&cache_lock);
    old = cache[cache_next];
    cache[cache_next] = f;
    cache_next = (cache_next + 1) % ARRAY_SIZE(cache);
    ReleaseSRWLockExclusive(&cache_lock);
    format_release(old);
    *out = f;
    return S_OK;
}

/* Called on a real unload only (never at process exit, DllMain's rule): the cache's references. */
void format_cache_free(void)
{
    unsigned int i;
    for (i = 0; i < ARRAY_SIZE(cache); i++)
        if (cache[i])
        {
            if (!InterlockedDecrement(&cache[i]->ref)) format_free(cache[i]);
            cache[i] = NULL;
        }
}

/* ---- half floats (IEEE 754 binary16), as CPython's PyFloat_Pack2/Unpack2 ---- */

static double half_to_double(USHORT h)
{
    int e = (h >> 10) & 0x1f;
    double m = h & 0x3ff, d;

    if (e == 0x1f) d = m ? NAN : INFINITY;
    else if (e == 0) d = ldexp(m, -24);
    else d = ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -d : d;
}

/* FALSE when a finite x is too large for a half float. Rounds to nearest, ties to even. */
static BOOL double_to_half(double x, USHORT *out)
{
    unsigned short sign = signbit(x) ? 1 : 0, bits;
    double f;
    int e;

    if (isnan(x)) { *out = (sign << 15) | 0x7e00; return TRUE; }
    if (isinf(x)) { *out = (sign << 15) | 0x7c00; return TRUE; }
    if (x == 0) { *out = sign << 15; return TRUE; }
    f = frexp(fabs(x), &e);  /* 0.5 <= f < 1 */
    f *= 2.0;
    e--;
    if (e >= 16) return FALSE;
    else if (e < -25) { f = 0.0; e = 0; }
    else if (e < -14) { f = ldexp(f, 14 + e); e = 0; }
    else { e += 15; f -= 1.0; }
    f *= 1024.0;
    bits = (unsigned short)f;
    if (f - bits > 0.5 || (f - bits == 0.5 && (bits & 1)))
    {
        if (++bits == 1024)
        {
            bits = 0;
            if (++e == 31) return FALSE;
        }
    }
    *out = (USHORT)(bits | (e << 10) | (sign << 15));
    return TRUE;
}

/* ---- unpack and pack ---- */

/* The typed read's type for an integer or float code of a given size. */
static enum sr_type code_type(char code, SIZE_T size)
{
    switch (code)
    {
    case 'b': return SR_INT8;
    case 'B': return SR_UINT8;
    case 'h': return SR_INT16;
    case 'H': return SR_UINT16;
    case 'i': case 'l': return SR_INT32;
    case 'I': case 'L': return SR_UINT32;
    case 'q': return SR_INT64;
    case 'Q': return SR_UINT64;
    case 'n': return size == 8 ? SR_INT64 : SR_INT32;
    case 'N': case 'P': return size == 8 ? SR_UINT64 : SR_UINT32;
    case 'f': return SR_SINGLE;
    default: return SR_DOUBLE;
    }
}

/* n bytes from src to dst, reversed for a big-endian format (the codecs work in little-endian). */
static void order(const struct sr_format *f, BYTE *dst, const BYTE *src, SIZE_T n)
{
    SIZE_T i;
    if (!f->big_endian) memcpy(dst, src, n);
    else for (i = 0; i < n; i++) dst[i] = src[n - 1 - i];
}

static void field_name(const struct fmt_item *it, ULONG field, WCHAR *buf, size_t size)
{
    if (it->code == 's' || it->code == 'p' || it->code == 'w')
        __mingw_snwprintf(buf, size, L"field %lu ('%lu%c')", field, it->count, it->code);
    else
        __mingw_snwprintf(buf, size, L"field %lu ('%c')", field, it->code);
    buf[size - 1] = 0;
}

/* A string field's bytes, up to the first NUL (a NUL code unit for a two-byte encoding). A field of an
 * odd length in a two-byte encoding has a last byte that holds no code unit: Pack leaves it zero, and
 * then it is padding; any other value leaves an odd byte count, which the decoder refuses. */
static SIZE_T until_nul(const BYTE *p, SIZE_T n, UINT unit)
{
    SIZE_T i;
    if (unit == 2)
    {
        for (i = 0; i + 1 < n; i += 2) if (!p[i] && !p[i + 1]) return i;
        return (n % 2 && !p[n - 1]) ? n - 1 : n;
    }
    for (i = 0; i < n; i++) if (!p[i]) return i;
    return n;
}

static HRESULT unpack_text(const WCHAR *method, REFIID iid, const struct sr_encoding *enc, const struct fmt_item *it,
                           const BYTE *p, SIZE_T at, SIZE_T n, VARIANT *v)
{
    HRESULT hr;
    BSTR s;

    if (FAILED(hr = text_decode(method, iid, enc, p, n, at, &s)))
    {
        WCHAR name[48];
        if (hr != SR_E_BADENCODING) return hr;
        field_name(it, it->field, name, ARRAY_SIZE(name));
        return sr_error(SR_E_BADENCODING, iid, L"%ls: %ls: the %Iu bytes at byte %Iu of the struct are not valid %ls",
                        method, name, n, at,
                        enc->codepage == CP_UTF8 ? L"UTF-8" : enc->name);
    }
    V_VT(v) = VT_BSTR;
    V_BSTR(v) = s;
    return S_OK;
}

HRESULT format_unpack_check(const WCHAR *method, REFIID iid, const struct sr_format *f)
{
    if (f->fields <= SR_MAX_ITEMS) return S_OK;
    return sr_error(E_INVALIDARG, iid, L"%ls: format \"%.100ls\" has %lu fields, more than one call can return (%lu)",
                    method, f->text, f->fields, (ULONG)SR_MAX_ITEMS);
}

HRESULT format_unpack(const WCHAR *method, REFIID iid, const struct sr_format *f, const BYTE *bytes,
                      const struct sr_encoding *enc, VARIANT *out)
{
    SAFEARRAY *sa;
    VARIANT *vals = NULL;
    ULONG i, k;
    HRESULT hr;

    VariantInit(out);
    if (FAILED(hr = format_unpack_check(method, iid, f))) return hr;
    if (!(sa = SafeArrayCreateVector(VT_VARIANT, 0, f->fields)))
        return sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for %lu values", method, f->fields);
    SafeArrayAccessData(sa, (void **)&vals);
    for (i = 0; i < f->count && SUCCEEDED(hr); i++)
    {
        const struct fmt_item *it = &f->item[i];
        const BYTE *p = bytes + (SIZE_T)it->offset;
        VARIANT *v = &vals[it->field];
        BYTE tmp[8];

        switch (it->code)
        {
        case 'x':
            break;
        case 's':
        {
            SIZE_T n = until_nul(p, it->count, enc->unit);
            hr = unpack_text(method, iid, enc, it, p, (SIZE_T)it->offset, n, v);
            break;
        }
        case 'p':
        {
            SIZE_T n = it->count ? p[0] : 0;
            if (it->count && n >= it->count) n = it->count - 1;
            hr = unpack_text(method, iid, enc, it, p + 1, (SIZE_T)it->offset + 1, n, v);
            break;
        }
        case 'w':
        {
            ULONG n;
            BSTR s;
            for (n = 0; n < it->count && (p[n * 2] || p[n * 2 + 1]); n++) ;
            if (!(s = SysAllocStringLen(NULL, n))) { hr = E_OUTOFMEMORY; break; }
            memcpy(s, p, (SIZE_T)n * sizeof(WCHAR));
            if (f->big_endian) for (k = 0; k < n; k++) s[k] = (WCHAR)((s[k] >> 8) | (s[k] << 8));
            V_VT(v) = VT_BSTR;
            V_BSTR(v) = s;
            break;
        }
        case 'c':
            for (k = 0; k < it->count && SUCCEEDED(hr); k++)
            {
                WCHAR c = p[k];
                V_VT(&v[k]) = VT_BSTR;
                if (!(V_BSTR(&v[k]) = SysAllocStringLen(&c, 1))) hr = E_OUTOFMEMORY;
            }
            break;
        case '?':
            for (k = 0; k < it->count; k++)
            {
                V_VT(&v[k]) = VT_BOOL;
                V_BOOL(&v[k]) = p[k * it->size] ? VARIANT_TRUE : VARIANT_FALSE;
            }
            break;
        case 'e':
            for (k = 0; k < it->count; k++)
            {
                USHORT h;
                order(f, tmp, p + k * 2, 2);
                memcpy(&h, tmp, 2);
                V_VT(&v[k]) = VT_R8;
                V_R8(&v[k]) = half_to_double(h);
            }
            break;
        default:
            if (!f->big_endian)
                for (k = 0; k < it->count; k++) value_decode(it->type, p + (SIZE_T)k * it->size, &v[k]);
            else
                for (k = 0; k < it->count; k++)
                {
                    order(f, tmp, p + (SIZE_T)k * it->size, it->size);
                    value_decode(it->type, tmp, &v[k]);
                }
            break;
        }
    }
    SafeArrayUnaccessData(sa);
    if (FAILED(hr))
    {
        SafeArrayDestroy(sa);
        if (hr == E_OUTOFMEMORY) return sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory", method);
        return hr;
    }
    V_VT(out) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(out) = sa;
    return S_OK;
}

/* Python's truthiness for a script value: Empty, Null, False, zero and "" are false. format_pack has
 * refused a reference to nothing usable (arg_deref). */
static BOOL truth(const VARIANT *arg)
{
    const VARIANT *v = arg_deref(arg);
    VARIANT num;
    BOOL t;

    if (!v) return FALSE;
    switch (V_VT(v) & ~VT_BYREF)
    {
    case VT_EMPTY: case VT_NULL: return FALSE;
    case VT_BSTR: return SysStringLen((V_VT(v) & VT_BYREF) ? *V_BSTRREF(v) : V_BSTR(v)) != 0;
    case VT_DISPATCH: case VT_UNKNOWN: return TRUE;
    }
    if (V_VT(v) & VT_ARRAY) return TRUE;
    VariantInit(&num);
    if (FAILED(VariantChangeType(&num, (VARIANT *)v, 0, VT_R8))) return TRUE;
    t = V_R8(&num) != 0;
    return t;
}

/* A String argument (by value or by reference), or NULL. */
static BSTR string_of(const VARIANT *arg, BOOL *is_string)
{
    const VARIANT *v = arg_deref(arg); /* one level; a NULL or nested reference is not a string */
    *is_string = v && (V_VT(v) & ~VT_BYREF) == VT_BSTR && (!(V_VT(v) & VT_BYREF) || V_BYREF(v));
    if (!*is_string) return NULL;
    return (V_VT(v) & VT_BYREF) ? *V_BSTRREF(v) : V_BSTR(v);
}

static BOOL splits_pair(const WCHAR *text, UINT chars, UINT k)
{
    return k > 0 && k < chars && text[k - 1] >= 0xd800 && text[k - 1] < 0xdc00 && text[k] >= 0xdc00 && text[k] < 0xe000;
}

/* How many bytes of the encoded text[0..chars) a field of `room` bytes keeps: the bytes of its longest
 * prefix of whole characters (a surrogate pair is one) that fits, so that a truncated field never ends
 * in part of a character and Unpack reads back what Pack wrote. The whole text encodes (the caller has
 * its bytes), and so does each such prefix; its length grows with the prefix: a binary search over the
 * prefixes, each encoded on its own (so that it is right for every encoding, whatever its byte
 * sequences look like). */
static HRESULT fit_text(const WCHAR *method, REFIID iid, const struct sr_encoding *enc, const WCHAR *text, UINT chars,
                        SIZE_T room, SIZE_T *fit)
{
    UINT lo = 0, hi = chars, mid, k;
    SIZE_T n = 0, best = 0;
    BYTE *bytes;
    HRESULT hr = S_OK;

    /* lo's prefix fits (the empty one does), hi's does not (the caller's whole text). */
    while (hi - lo > 1 && SUCCEEDED(hr))
    {
        mid = lo + (hi - lo) / 2;
        k = splits_pair(text, chars, mid) ? mid - 1 : mid;
        if (FAILED(hr = text_encode(method, iid, enc, text, k, 0, &bytes, &n))) break;
        HeapFree(GetProcessHeap(), 0, bytes);
        if (n <= room)
        {
            lo = mid;
            best = n;
        }
        else hi = mid;
    }
    *fit = best;
    return hr;
}

static HRESULT pack_text(const WCHAR *method, REFIID iid, const struct sr_encoding *enc, const struct fmt_item *it,
                         const VARIANT *v, BYTE *p, const WCHAR *name, BOOL big_endian)
{
    BOOL is_string;
    BSTR s = string_of(v, &is_string);
    UINT chars = SysStringLen(s);
    BYTE *bytes = NULL;
    SIZE_T n = 0, room, len;
    HRESULT hr;
    UINT k, units;

    if (!is_string)
        return sr_error(DISP_E_TYPEMISMATCH, iid, L"%ls: %ls: value must be a String, not %ls", method, name,
                        arg_missing(v) ? L"missing" : vt_name(V_VT(v) & ~VT_BYREF));
    if (it->code == 'w')
    {
        /* N code units, truncated (never inside a surrogate pair) or padded with NULs, as 's' does with bytes. */
        units = it->count < chars ? it->count : chars;
        if (splits_pair(s, chars, units)) units--;
        for (k = 0; k < units; k++)
        {
            WCHAR c = s[k];
            p[k * 2] = big_endian ? (BYTE)(c >> 8) : (BYTE)c;
            p[k * 2 + 1] = big_endian ? (BYTE)c : (BYTE)(c >> 8);
        }
        return S_OK;
    }
    if (FAILED(hr = text_encode(method, iid, enc, s, chars, 0, &bytes, &n)))
    {
        if (hr == SR_E_BADENCODING)
        {
            /* The same sentence, with the field in front. */
            IErrorInfo *info;
            BSTR desc = NULL;
            if (GetErrorInfo(0, &info) == S_OK)
            {
                IErrorInfo_GetDescription(info, &desc);
                IErrorInfo_Release(info);
            }
            hr = sr_error(SR_E_BADENCODING, iid, L"%ls: %ls: %ls", method, name,
                          desc && !wcsncmp(desc, method, wcslen(method)) && desc[wcslen(method)] == ':'
                          ? desc + wcslen(method) + 2 : (desc ? desc : L"the text cannot be encoded"));
            SysFreeString(desc);
        }
        return hr;
    }
    /* The bytes that fit, cut at a character boundary: the same as Python's for text whose characters
     * are one byte each. */
    room = it->code == 's' ? it->count : it->count ? it->count - 1 : 0;
    len = n;
    if (n > room) hr = fit_text(method, iid, enc, s, chars, room, &len);
    if (SUCCEEDED(hr) && it->code == 's') memcpy(p, bytes, len);
    else if (SUCCEEDED(hr) && it->count)
    {
        /* Python's Pascal string: at most count - 1 bytes, and a length byte of at most 255 (again at a
         * character boundary: the bytes it counts are the ones Unpack decodes). */
        memcpy(p + 1, bytes, len);
        if (len > 255) hr = fit_text(method, iid, enc, s, chars, 255, &len);
        p[0] = (BYTE)len;
    }
    HeapFree(GetProcessHeap(), 0, bytes);
    return hr;
}

HRESULT format_pack(const WCHAR *method, REFIID iid, const struct sr_format *f, const VARIANT *values, ULONG count,
                    const struct sr_encoding *enc, BYTE *out)
{
    BYTE *buf;
    ULONG i, k;
    HRESULT hr = S_OK;

    if (count != f->fields)
        return sr_error(E_INVALIDARG, iid, L"%ls: format \"%.100ls\" has %lu field%ls; %lu value%ls given", method,
                        f->text, f->fields, f->fields == 1 ? L"" : L"s", count, count == 1 ? L" was" : L"s were");
    /* Built aside and copied at the end: nothing is written when a value is bad. */
    if (!(buf = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, f->size ? (SIZE_T)f->size : 1)))
        return sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for %I64u bytes", method, f->size);
    for (i = 0; i < f->count && SUCCEEDED(hr); i++)
    {
        const struct fmt_item *it = &f->item[i];
        BYTE *p = buf + (SIZE_T)it->offset;
        ULONG values_of_item = it->code == 'x' ? 0
                             : (it->code == 's' || it->code == 'p' || it->code == 'w') ? 1 : it->count;
        WCHAR name[48];
        BYTE tmp[8];

        /* A by-reference value with a NULL pointer, or a reference to another reference, is refused here,
         * whatever the field, and never read through. */
        for (k = 0; k < values_of_item && SUCCEEDED(hr); k++)
            if (!arg_deref(&values[it->field + k]))
            {
                field_name(it, it->field + k, name, ARRAY_SIZE(name));
                hr = arg_ref_error(method, name, iid);
            }
        if (FAILED(hr)) break;
        switch (it->code)
        {
        case 'x':
            break;
        case 's': case 'p': case 'w':
            field_name(it, it->field, name, ARRAY_SIZE(name));
            hr = pack_text(method, iid, enc, it, &values[it->field], p, name, f->big_endian);
            break;
        case 'c':
            for (k = 0; k < it->count && SUCCEEDED(hr); k++)
            {
                const VARIANT *v = &values[it->field + k];
                BOOL is_string;
                BSTR s = string_of(v, &is_string);
                field_name(it, it->field + k, name, ARRAY_SIZE(name));
                if (!is_string || SysStringLen(s) != 1 || s[0] > 0xff)
                    hr = sr_error(is_string ? E_INVALIDARG : DISP_E_TYPEMISMATCH, iid, L"%ls: %ls: value must be a "
                                  L"String of one character U+0000..U+00FF, not %ls", method, name,
                                  is_string ? (SysStringLen(s) == 1 ? L"a character beyond U+00FF"
                                                                    : L"a String of another length")
                                            : (arg_missing(v) ? L"missing" : vt_name(V_VT(v) & ~VT_BYREF)));
                else p[k] = (BYTE)s[0];
            }
            break;
        case '?':
            for (k = 0; k < it->count; k++) p[k * it->size] = truth(&values[it->field + k]) ? 1 : 0;
            break;
        case 'e':
            for (k = 0; k < it->count && SUCCEEDED(hr); k++)
            {
                VARIANT d;
                USHORT h;
                field_name(it, it->field + k, name, ARRAY_SIZE(name));
                if (FAILED(hr = value_encode(method, name, iid, SR_DOUBLE, &values[it->field + k], tmp))) break;
                memcpy(&V_R8(&d), tmp, 8);
                if (!double_to_half(V_R8(&d), &h))
                {
                    hr = sr_error(E_INVALIDARG, iid, L"%ls: %ls: value %.17g is out of range; a half float takes "
                                  L"-65504 to 65504", method, name, V_R8(&d));
                    break;
                }
                memcpy(tmp, &h, 2);
                order(f, p + k * 2, tmp, 2);
            }
            break;
        default:
        {
            enum sr_type type = it->type;
            for (k = 0; k < it->count && SUCCEEDED(hr); k++)
            {
                /* The field's name is only needed for a message: made when a value fails, and the value
                 * encoded again with it (it fails the same way). */
                hr = value_encode(method, L"value", iid, type, &values[it->field + k], tmp);
                /* Python packs a negative pointer as its two's complement (PyLong_AsVoidPtr). */
                if (FAILED(hr) && it->code == 'P')
                    hr = value_encode(method, L"value", iid, it->size == 8 ? SR_INT64 : SR_INT32,
                                      &values[it->field + k], tmp);
                if (SUCCEEDED(hr))
                    order(f, p + (SIZE_T)k * it->size, tmp, it->size);
                else
                {
                    field_name(it, it->field + k, name, ARRAY_SIZE(name));
                    hr = value_encode(method, name, iid, type, &values[it->field + k], tmp);
                }
            }
            break;
        }
        }
    }
    if (SUCCEEDED(hr)) memcpy(out, buf, (SIZE_T)f->size);
    HeapFree(GetProcessHeap(), 0, buf);
    return hr;
}
