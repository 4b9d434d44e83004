/*
 * SharedRegion tests: the codecs (server/values.c, text.c, structfmt.c), linked directly, not through
 * COM: number rules at every type's extremes and one past them, script arrays of every kind, the
 * encodings against Python's codecs, and the struct formats against vectors that Python's struct
 * module wrote at build time (tests/gen_struct_vectors.py).
 */
#include <math.h>
#include <float.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "private.h"
#include "struct_vectors.h"
#include "claimed_array.h"

static const IID *iid = &IID_ISharedRegion;

static int com_setup(void **state)
{
    (void)state;
    return FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED)) ? -1 : 0;
}

static int com_teardown(void **state)
{
    (void)state;
    format_cache_free();
    CoUninitialize();
    return 0;
}

/* The description of the last error (sr_error's IErrorInfo), in a static buffer. */
static const WCHAR *last_error(void)
{
    static WCHAR text[2048];
    IErrorInfo *info = NULL;
    BSTR desc = NULL;

    text[0] = 0;
    if (GetErrorInfo(0, &info) == S_OK && info)
    {
        IErrorInfo_GetDescription(info, &desc);
        IErrorInfo_Release(info);
        if (desc) wcsncpy(text, desc, ARRAY_SIZE(text) - 1);
        SysFreeString(desc);
    }
    return text;
}

#define assert_wstr_equal(a, b) do { \
        const WCHAR *a_ = (a), *b_ = (b); \
        if (wcscmp(a_, b_)) { print_error("got      \"%ls\"\nexpected \"%ls\"\n", a_, b_); fail(); } \
    } while (0)
#define assert_error(expr, hr_, text) do { \
        HRESULT h_ = (expr); \
        if (h_ != (HRESULT)(hr_)) print_error("hr %#lx, expected %#lx: %ls\n", h_, (HRESULT)(hr_), last_error()); \
        assert_int_equal(h_, (HRESULT)(hr_)); \
        assert_wstr_equal(last_error(), text); \
    } while (0)
#define assert_error_contains(expr, hr_, part) do { \
        HRESULT h_ = (expr); \
        const WCHAR *e_; \
        assert_int_equal(h_, (HRESULT)(hr_)); \
        e_ = last_error(); \
        if (!wcsstr(e_, part)) { print_error("\"%ls\" does not contain \"%ls\"\n", e_, part); fail(); } \
    } while (0)

static VARIANT r8(double d) { VARIANT v; V_VT(&v) = VT_R8; V_R8(&v) = d; return v; }
static VARIANT i4(LONG l) { VARIANT v; V_VT(&v) = VT_I4; V_I4(&v) = l; return v; }
static VARIANT i8(LONGLONG l) { VARIANT v; V_VT(&v) = VT_I8; V_I8(&v) = l; return v; }
static VARIANT ui8(ULONGLONG l) { VARIANT v; V_VT(&v) = VT_UI8; V_UI8(&v) = l; return v; }
static VARIANT bstr(const WCHAR *s) { VARIANT v; V_VT(&v) = VT_BSTR; V_BSTR(&v) = SysAllocString(s); return v; }
static VARIANT dec(const char *digits, BYTE scale)
{
    VARIANT v;
    const char *p = digits;
    memset(&v, 0, sizeof(v));
    if (*p == '-') { V_DECIMAL(&v).sign = DECIMAL_NEG; p++; }
    V_DECIMAL(&v).Lo64 = _strtoui64(p, NULL, 10);
    V_DECIMAL(&v).scale = scale;
    V_VT(&v) = VT_DECIMAL;
    return v;
}

static void check_decimal(const VARIANT *v, BOOL neg, ULONGLONG mag)
{
    assert_int_equal(V_VT(v), VT_DECIMAL);
    assert_int_equal(V_DECIMAL(v).scale, 0);
    assert_int_equal(V_DECIMAL(v).Hi32, 0);
    assert_int_equal(V_DECIMAL(v).sign, neg ? DECIMAL_NEG : 0);
    assert_true(V_DECIMAL(v).Lo64 == mag);
}

static void check_double(double got, double expected)
{
    if (isnan(expected)) assert_true(isnan(got));
    else if (memcmp(&got, &expected, sizeof(got)))
    {
        print_error("got %.17g, expected %.17g\n", got, expected);
        fail();
    }
}

/* ---- values.c: reads ---- */

static void test_decode_gives_each_type_its_variant(void **state)
{
    static const BYTE ff[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const BYTE min64[8] = { 0, 0, 0, 0, 0, 0, 0, 0x80 };
    static const BYTE two53[8] = { 0, 0, 0, 0, 0, 0, 0x20, 0 };
    static const BYTE two53p1[8] = { 1, 0, 0, 0, 0, 0, 0x20, 0 };
    static const BYTE neg2_53m1[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xdf, 0xff };
    static const BYTE odd[9] = { 0x55, 0x00, 0x00, 0x80, 0x3f, 0, 0, 0, 0 };
    /* volatile: an x87 build keeps float constants in long double precision until they are stored. */
    volatile float fl;
    VARIANT v;

    (void)state;
    value_decode(SR_INT8, ff, &v);    assert_int_equal(V_VT(&v), VT_I2);  assert_int_equal(V_I2(&v), -1);
    value_decode(SR_UINT8, ff, &v);   assert_int_equal(V_VT(&v), VT_UI1); assert_int_equal(V_UI1(&v), 255);
    value_decode(SR_INT16, ff, &v);   assert_int_equal(V_VT(&v), VT_I2);  assert_int_equal(V_I2(&v), -1);
    value_decode(SR_UINT16, ff, &v);  assert_int_equal(V_VT(&v), VT_I4);  assert_int_equal(V_I4(&v), 65535);
    value_decode(SR_INT32, ff, &v);   assert_int_equal(V_VT(&v), VT_I4);  assert_int_equal(V_I4(&v), -1);
    value_decode(SR_UINT32, ff, &v);  assert_int_equal(V_VT(&v), VT_R8);  check_double(V_R8(&v), 4294967295.0);
    value_decode(SR_INT64, ff, &v);   assert_int_equal(V_VT(&v), VT_R8);  check_double(V_R8(&v), -1.0);
    value_decode(SR_UINT64, ff, &v);  check_decimal(&v, FALSE, 18446744073709551615ULL);
    value_decode(SR_INT64, min64, &v); check_decimal(&v, TRUE, 9223372036854775808ULL);
    value_decode(SR_UINT64, min64, &v); check_decimal(&v, FALSE, 9223372036854775808ULL);
    value_decode(SR_INT64, two53, &v); assert_int_equal(V_VT(&v), VT_R8); check_double(V_R8(&v), 9007199254740992.0);
    value_decode(SR_UINT64, two53, &v); assert_int_equal(V_VT(&v), VT_R8); check_double(V_R8(&v), 9007199254740992.0);
    value_decode(SR_INT64, two53p1, &v); check_decimal(&v, FALSE, 9007199254740993ULL);
    value_decode(SR_INT64, neg2_53m1, &v); check_decimal(&v, TRUE, 9007199254740993ULL);
    /* At an odd address: the codecs never assume alignment. */
    value_decode(SR_SINGLE, odd + 1, &v); assert_int_equal(V_VT(&v), VT_R8); check_double(V_R8(&v), 1.0);
    fl = 0.1f;
    value_decode(SR_SINGLE, (const BYTE *)&fl, &v); check_double(V_R8(&v), (double)fl); /* widened exactly */
    assert_true(V_R8(&v) != 0.1);
    value_from_int64(-9007199254740992LL, &v); assert_int_equal(V_VT(&v), VT_R8);
    value_from_int64(-9007199254740993LL, &v); check_decimal(&v, TRUE, 9007199254740993ULL);
    value_from_uint64(9007199254740993ULL, &v); check_decimal(&v, FALSE, 9007199254740993ULL);
}

/* ---- values.c: writes ---- */

struct limit { enum sr_type type; const WCHAR *method; double lo, hi; const WCHAR *range; };
static const struct limit limits[] =
{
    { SR_INT8, L"WriteInt8", -128, 127, L"-128 to 127" },
    { SR_UINT8, L"WriteByte", 0, 255, L"0 to 255" },
    { SR_INT16, L"WriteInt16", -32768, 32767, L"-32768 to 32767" },
    { SR_UINT16, L"WriteUInt16", 0, 65535, L"0 to 65535" },
    { SR_INT32, L"WriteInt32", -2147483648.0, 2147483647.0, L"-2147483648 to 2147483647" },
    { SR_UINT32, L"WriteUInt32", 0, 4294967295.0, L"0 to 4294967295" },
};

static void test_integer_writes_take_the_extremes_and_refuse_one_past(void **state)
{
    unsigned int i;
    (void)state;
    for (i = 0; i < ARRAY_SIZE(limits); i++)
    {
        const struct limit *l = &limits[i];
        BYTE out[8], expect[8];
        LONGLONG lo = (LONGLONG)l->lo, hi = (LONGLONG)l->hi;
        WCHAR msg[256];
        VARIANT v;
        SIZE_T n = value_type_size(l->type);

        memset(out, 0xaa, sizeof(out));
        assert_int_equal(value_encode_double(l->method, L"value", iid, l->type, l->lo, out), S_OK);
        memcpy(expect, &lo, 8);
        assert_memory_equal(out, expect, n);
        assert_int_equal(out[n], 0xaa); /* no byte past the type's size */
        assert_int_equal(value_encode_double(l->method, L"value", iid, l->type, l->hi, out), S_OK);
        memcpy(expect, &hi, 8);
        assert_memory_equal(out, expect, n);

        /* The same through every kind of VARIANT. */
        v = r8(l->hi); assert_int_equal(value_encode(l->method, L"value", iid, l->type, &v, out), S_OK);
        assert_memory_equal(out, expect, n);
        v = i8(hi); assert_int_equal(value_encode(l->method, L"value", iid, l->type, &v, out), S_OK);
        assert_memory_equal(out, expect, n);
        swprintf(msg, ARRAY_SIZE(msg), L"%I64d", hi);
        v = bstr(msg); assert_int_equal(value_encode(l->method, L"value", iid, l->type, &v, out), S_OK);
        VariantClear(&v);
        assert_memory_equal(out, expect, n);

        memset(out, 0xaa, sizeof(out));
        swprintf(msg, ARRAY_SIZE(msg), L"%ls: value %I64d is out of range; %ls takes %ls", l->method, hi + 1,
                 value_type_name(l->type), l->range);
        assert_error(value_encode_double(l->method, L"value", iid, l->type, l->hi + 1, out), E_INVALIDARG, msg);
        v = i8(hi + 1);
        assert_error(value_encode(l->method, L"value", iid, l->type, &v, out), E_INVALIDARG, msg);
        swprintf(msg, ARRAY_SIZE(msg), L"%ls: value %I64d is out of range; %ls takes %ls", l->method, lo - 1,
                 value_type_name(l->type), l->range);
        assert_error(value_encode_double(l->method, L"value", iid, l->type, l->lo - 1, out), E_INVALIDARG, msg);
        v = dec(lo - 1 < 0 ? "-1" : "0", 0);
        if (lo == 0) assert_error(value_encode(l->method, L"value", iid, l->type, &v, out), E_INVALIDARG, msg);
        for (n = 0; n < sizeof(out); n++) assert_int_equal(out[n], 0xaa); /* nothing written on failure */
    }
}

static void test_int16_range_message(void **state)
{
    BYTE out[2] = { 1, 2 };
    VARIANT v = i4(40000);
    (void)state;
    assert_error(value_encode(L"WriteInt16", L"value", iid, SR_INT16, &v, out), E_INVALIDARG,
                 L"WriteInt16: value 40000 is out of range; Int16 takes -32768 to 32767");
    assert_error(value_encode(L"WriteArray", L"element 3", iid, SR_INT16, &v, out), E_INVALIDARG,
                 L"WriteArray: element 3: value 40000 is out of range; Int16 takes -32768 to 32767");
    assert_error(value_encode_double(L"WriteInt16", L"value", iid, SR_INT16, 1.5, out), E_INVALIDARG,
                 L"WriteInt16: value 1.5 is not a whole number; Int16 takes whole numbers from -32768 to 32767");
    assert_error(value_encode_double(L"WriteInt16", L"value", iid, SR_INT16, NAN, out), E_INVALIDARG,
                 L"WriteInt16: value is NaN; Int16 takes whole numbers from -32768 to 32767");
    v = bstr(L"12.5");
    assert_error(value_encode(L"WriteInt16", L"value", iid, SR_INT16, &v, out), DISP_E_TYPEMISMATCH,
                 L"WriteInt16: value \"12.5\" is not a whole number in decimal digits; Int16 takes whole numbers "
                 L"from -32768 to 32767");
    VariantClear(&v);
    V_VT(&v) = VT_EMPTY;
    assert_error(value_encode(L"WriteInt16", L"value", iid, SR_INT16, &v, out), DISP_E_TYPEMISMATCH,
                 L"WriteInt16: value must be a number (Int16 takes -32768 to 32767), not missing");
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
}

static void test_64bit_writes_are_exact(void **state)
{
    ULONGLONG u;
    LONGLONG s;
    VARIANT v, ref;
    BYTE out[8];
    (void)state;

    v = bstr(L"18446744073709551615");
    assert_int_equal(value_to_uint64(L"WriteUInt64", L"value", iid, &v, &u), S_OK);
    assert_true(u == 18446744073709551615ULL);
    VariantClear(&v);
    v = bstr(L"18446744073709551616");
    assert_error(value_to_uint64(L"WriteUInt64", L"value", iid, &v, &u), E_INVALIDARG,
                 L"WriteUInt64: value 18446744073709551616 is out of range; UInt64 takes 0 to 18446744073709551615");
    VariantClear(&v);
    v = bstr(L"-9223372036854775808");
    assert_int_equal(value_to_int64(L"WriteInt64", L"value", iid, &v, &s), S_OK);
    assert_true(s == INT64_MIN);
    VariantClear(&v);
    v = bstr(L"-9223372036854775809");
    assert_error(value_to_int64(L"WriteInt64", L"value", iid, &v, &s), E_INVALIDARG,
                 L"WriteInt64: value -9223372036854775809 is out of range; Int64 takes -9223372036854775808 to "
                 L"9223372036854775807");
    VariantClear(&v);
    v = bstr(L"9223372036854775808");
    assert_error(value_to_int64(L"WriteInt64", L"value", iid, &v, &s), E_INVALIDARG,
                 L"WriteInt64: value 9223372036854775808 is out of range; Int64 takes -9223372036854775808 to "
                 L"9223372036854775807");
    VariantClear(&v);
    v = bstr(L"-1");
    assert_error(value_to_uint64(L"WriteUInt64", L"value", iid, &v, &u), E_INVALIDARG,
                 L"WriteUInt64: value -1 is out of range; UInt64 takes 0 to 18446744073709551615");
    VariantClear(&v);
    v = bstr(L"+42");
    assert_int_equal(value_to_uint64(L"WriteUInt64", L"value", iid, &v, &u), S_OK);
    assert_true(u == 42);
    VariantClear(&v);
    v = bstr(L" 42");
    assert_int_equal(value_to_uint64(L"WriteUInt64", L"value", iid, &v, &u), DISP_E_TYPEMISMATCH);
    VariantClear(&v);

    /* Decimal in: whole (also with a scale that divides out), exact beyond 2^53; a fraction is an error. */
    v = dec("9007199254740993", 0);
    assert_int_equal(value_to_int64(L"WriteInt64", L"value", iid, &v, &s), S_OK);
    assert_true(s == 9007199254740993LL);
    v = dec("-90071992547409930", 1);
    assert_int_equal(value_to_int64(L"WriteInt64", L"value", iid, &v, &s), S_OK);
    assert_true(s == -9007199254740993LL);
    v = dec("90071992547409935", 1);
    assert_error(value_to_int64(L"WriteInt64", L"value", iid, &v, &s), E_INVALIDARG,
                 L"WriteInt64: value 9007199254740993.5 is not a whole number; Int64 takes whole numbers from "
                 L"-9223372036854775808 to 9223372036854775807");
    memset(&v, 0, sizeof(v));
    V_DECIMAL(&v).Hi32 = 1; /* 2^64 */
    V_VT(&v) = VT_DECIMAL;
    assert_error(value_to_uint64(L"WriteUInt64", L"value", iid, &v, &u), E_INVALIDARG,
                 L"WriteUInt64: value 18446744073709551616 is out of range; UInt64 takes 0 to 18446744073709551615");

    /* VT_I8/VT_UI8 (PowerShell's [long]/[ulong]) and by reference. */
    v = ui8(18446744073709551615ULL);
    assert_int_equal(value_encode(L"WriteUInt64", L"value", iid, SR_UINT64, &v, out), S_OK);
    assert_true(!memcmp(out, "\xff\xff\xff\xff\xff\xff\xff\xff", 8));
    v = i8(-2);
    V_VT(&ref) = VT_BYREF | VT_I8;
    V_I8REF(&ref) = &V_I8(&v);
    assert_int_equal(value_encode(L"WriteInt64", L"value", iid, SR_INT64, &ref, out), S_OK);
    assert_true(!memcmp(out, "\xfe\xff\xff\xff\xff\xff\xff\xff", 8));
    V_VT(&ref) = VT_BYREF | VT_VARIANT;
    V_VARIANTREF(&ref) = &v;
    assert_int_equal(value_encode(L"WriteInt64", L"value", iid, SR_INT64, &ref, out), S_OK);
    assert_error(value_encode(L"WriteUInt64", L"value", iid, SR_UINT64, &ref, out), E_INVALIDARG,
                 L"WriteUInt64: value -2 is out of range; UInt64 takes 0 to 18446744073709551615");

    /* A Double above 2^53 is always whole: taken when in range. */
    assert_int_equal(value_encode_double(L"WriteUInt64", L"value", iid, SR_UINT64, 18446744073709549568.0, out), S_OK);
    assert_true(!memcmp(out, "\x00\xf8\xff\xff\xff\xff\xff\xff", 8));
    assert_error(value_encode_double(L"WriteUInt64", L"value", iid, SR_UINT64, 18446744073709551616.0, out),
                 E_INVALIDARG, L"WriteUInt64: value 1.8446744073709552e+19 is out of range; UInt64 takes 0 to "
                 L"18446744073709551615");
    assert_int_equal(value_encode_double(L"WriteInt64", L"value", iid, SR_INT64, -9223372036854775808.0, out), S_OK);
    assert_true(!memcmp(out, "\x00\x00\x00\x00\x00\x00\x00\x80", 8));
    assert_int_equal(value_encode_double(L"WriteInt64", L"value", iid, SR_INT64, 9223372036854775808.0, out),
                     E_INVALIDARG);
}

static void test_single_rounds_to_nearest_even(void **state)
{
    static const struct { double in; float out; } cases[] =
    {
        { 1.0 + 0x1p-24, 1.0f },                    /* a tie: to the even neighbour */
        { 1.0 + 3 * 0x1p-24, 1.0f + 0x1p-22f },     /* a tie: up to the even neighbour */
        { 1.0 + 0x1p-24 + 0x1p-50, 1.0f + 0x1p-23f },
        { 0.1, 0.1f },
        { 3.4028235677973362e+38, FLT_MAX },        /* just below the midpoint above FLT_MAX */
        { -3.4028235677973362e+38, -FLT_MAX },
        { 0x1p-150, 0.0f },                         /* half the smallest subnormal: a tie to zero */
        { 0x1.8p-150, 0x1p-149f },
        { 1e-50, 0.0f },
    };
    unsigned int i;
    BYTE out[4];
    float f;
    VARIANT v;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(cases); i++)
    {
        assert_int_equal(value_encode_double(L"WriteSingle", L"value", iid, SR_SINGLE, cases[i].in, out), S_OK);
        memcpy(&f, out, 4);
        if (memcmp(&f, &cases[i].out, 4)) { print_error("case %u: %.9g\n", i, f); fail(); }
    }
    assert_error(value_encode_double(L"WriteSingle", L"value", iid, SR_SINGLE, 3.4028235677973366e+38, out),
                 E_INVALIDARG, L"WriteSingle: value 3.4028235677973366e+38 is out of range; Single takes "
                 L"-3.4028234663852886e+38 to 3.4028234663852886e+38");
    assert_int_equal(value_encode_double(L"WriteSingle", L"value", iid, SR_SINGLE, -1e39, out), E_INVALIDARG);
    assert_int_equal(value_encode_double(L"WriteSingle", L"value", iid, SR_SINGLE, INFINITY, out), S_OK);
    memcpy(&f, out, 4); assert_true(isinf(f) && f > 0);
    assert_int_equal(value_encode_double(L"WriteSingle", L"value", iid, SR_SINGLE, -INFINITY, out), S_OK);
    memcpy(&f, out, 4); assert_true(isinf(f) && f < 0);
    assert_int_equal(value_encode_double(L"WriteSingle", L"value", iid, SR_SINGLE, NAN, out), S_OK);
    memcpy(&f, out, 4); assert_true(isnan(f));
    /* From a Decimal and from a string (read in the invariant locale). */
    v = dec("15", 1);
    assert_int_equal(value_encode(L"WriteSingle", L"value", iid, SR_SINGLE, &v, out), S_OK);
    memcpy(&f, out, 4); assert_true(f == 1.5f);
    v = bstr(L"2.25");
    assert_int_equal(value_encode(L"WriteSingle", L"value", iid, SR_SINGLE, &v, out), S_OK);
    VariantClear(&v);
    memcpy(&f, out, 4); assert_true(f == 2.25f);
}

static void test_parse_type_names_codes_and_numbers(void **state)
{
    static const struct { const WCHAR *name; enum sr_type type; } names[] =
    {
        { L"Int8", SR_INT8 }, { L"uint8", SR_UINT8 }, { L"Byte", SR_UINT8 }, { L"INT16", SR_INT16 },
        { L"UInt16", SR_UINT16 }, { L"Int32", SR_INT32 }, { L"Long", SR_INT32 }, { L"UInt32", SR_UINT32 },
        { L"Int64", SR_INT64 }, { L"UInt64", SR_UINT64 }, { L"Single", SR_SINGLE }, { L"Float", SR_SINGLE },
        { L"Double", SR_DOUBLE }, { L"b", SR_INT8 }, { L"B", SR_UINT8 }, { L"h", SR_INT16 }, { L"H", SR_UINT16 },
        { L"i", SR_INT32 }, { L"I", SR_UINT32 }, { L"q", SR_INT64 }, { L"Q", SR_UINT64 }, { L"f", SR_SINGLE },
        { L"d", SR_DOUBLE },
    };
    enum sr_type t;
    unsigned int i;
    VARIANT v;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        v = bstr(names[i].name);
        assert_int_equal(value_parse_type(L"ReadArray", iid, &v, &t), S_OK);
        assert_int_equal(t, names[i].type);
        VariantClear(&v);
    }
    /* A DataType number is the element's VARTYPE: VB's vbSingle (4) is Single, vbDouble (5) Double. */
    v = i4(VT_R4);
    assert_int_equal(value_parse_type(L"ReadArray", iid, &v, &t), S_OK);
    assert_int_equal(t, SR_SINGLE);
    v = i4(VT_R8);
    assert_int_equal(value_parse_type(L"ReadArray", iid, &v, &t), S_OK);
    assert_int_equal(t, SR_DOUBLE);
    v = i4(10);
    assert_error(value_parse_type(L"ReadArray", iid, &v, &t), E_INVALIDARG,
                 L"ReadArray: type 10 is not a DataType number; the type is one of Int8, UInt8 (Byte), Int16 (Integer), "
                 L"UInt16, Int32 (Long), UInt32, Int64, UInt64, Single (Float), Double; int8 ... uint64, float32, float64 "
                 L"(any case); the struct codes b B h H i I q Q f d; or a DataType number, the element's VARTYPE: 16 "
                 L"Int8, 17 UInt8, 2 Int16, 18 UInt16, 3 Int32, 19 UInt32, 20 Int64, 21 UInt64, 4 Single, 5 Double");
    v = bstr(L"x");
    assert_int_equal(value_parse_type(L"ReadArray", iid, &v, &t), E_INVALIDARG);
    VariantClear(&v);
    v = bstr(L"Int128");
    assert_error_contains(value_parse_type(L"ReadArray", iid, &v, &t), E_INVALIDARG,
                          L"ReadArray: type \"Int128\" is not one of");
    VariantClear(&v);
    assert_int_equal(value_type_size(SR_INT64), 8);
    assert_int_equal(value_type_size(SR_SINGLE), 4);
    assert_wstr_equal(value_type_name(SR_UINT16), L"UInt16");
}

/* ---- values.c: script arrays ---- */

/* A JScript-like array object: "length" and "0", "1", ... as properties. */
struct jsarray
{
    IDispatch IDispatch_iface;
    LONG ref;
    ULONG length;
    const VARIANT *items;
};

static inline struct jsarray *impl_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct jsarray, IDispatch_iface);
}

static HRESULT WINAPI js_QueryInterface(IDispatch *iface, REFIID riid, void **out)
{
    *out = NULL;
    if (!IsEqualIID(riid, &IID_IUnknown) && !IsEqualIID(riid, &IID_IDispatch)) return E_NOINTERFACE;
    *out = iface;
    IDispatch_AddRef(iface);
    return S_OK;
}
static ULONG WINAPI js_AddRef(IDispatch *iface) { return InterlockedIncrement(&impl_from_IDispatch(iface)->ref); }
static ULONG WINAPI js_Release(IDispatch *iface) { return InterlockedDecrement(&impl_from_IDispatch(iface)->ref); }
static HRESULT WINAPI js_GetTypeInfoCount(IDispatch *iface, UINT *n) { *n = 0; return S_OK; }
static HRESULT WINAPI js_GetTypeInfo(IDispatch *iface, UINT i, LCID lcid, ITypeInfo **ti) { return E_NOTIMPL; }
static HRESULT WINAPI js_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count, LCID lcid,
                                       DISPID *ids)
{
    struct jsarray *a = impl_from_IDispatch(iface);
    WCHAR *end;
    ULONG n;
    if (!wcscmp(names[0], L"length")) { ids[0] = 1000000; return S_OK; }
    n = wcstoul(names[0], &end, 10);
    if (*end || n >= a->length) return DISP_E_UNKNOWNNAME;
    ids[0] = n;
    return S_OK;
}
static HRESULT WINAPI js_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags, DISPPARAMS *params,
                                VARIANT *result, EXCEPINFO *excep, UINT *argerr)
{
    struct jsarray *a = impl_from_IDispatch(iface);
    if (id == 1000000) { V_VT(result) = VT_I4; V_I4(result) = a->length; return S_OK; }
    return VariantCopy(result, (VARIANT *)&a->items[id]);
}
static const IDispatchVtbl js_vtbl =
{
    js_QueryInterface, js_AddRef, js_Release, js_GetTypeInfoCount, js_GetTypeInfo, js_GetIDsOfNames, js_Invoke
};

static void test_collect_every_kind_of_array(void **state)
{
    VARIANT items_in[3], arg, ref, *items;
    struct jsarray js = { { &js_vtbl }, 1, 3, items_in };
    SAFEARRAY *sa;
    SAFEARRAYBOUND bounds[2] = { { 2, 0 }, { 2, 0 } };
    float *fl;
    LONG idx;
    ULONG count;

    (void)state;
    /* A JScript array: its elements as they are. */
    items_in[0] = i4(1);
    items_in[1] = r8(2.5);
    items_in[2] = bstr(L"3");
    V_VT(&arg) = VT_DISPATCH;
    V_DISPATCH(&arg) = &js.IDispatch_iface;
    assert_int_equal(values_collect(L"WriteArray", L"values", iid, &arg, &items, &count), S_OK);
    assert_int_equal(count, 3);
    assert_int_equal(V_VT(&items[0]), VT_I4);
    assert_int_equal(V_VT(&items[1]), VT_R8);
    assert_int_equal(V_VT(&items[2]), VT_BSTR);
    assert_wstr_equal(V_BSTR(&items[2]), L"3");
    values_free(items, count);
    js.length = 0;
    assert_int_equal(values_collect(L"WriteArray", L"values", iid, &arg, &items, &count), S_OK);
    assert_int_equal(count, 0);
    assert_null(items);
    VariantClear(&items_in[2]);

    /* A Single() by reference, as VBA passes a variable. */
    sa = SafeArrayCreateVector(VT_R4, 5, 3);
    SafeArrayAccessData(sa, (void **)&fl);
    fl[0] = 1.5f; fl[1] = -2; fl[2] = 1e30f;
    SafeArrayUnaccessData(sa);
    V_VT(&ref) = VT_BYREF | VT_ARRAY | VT_R4;
    V_ARRAYREF(&ref) = &sa;
    assert_int_equal(values_collect(L"WriteArray", L"values", iid, &ref, &items, &count), S_OK);
    assert_int_equal(count, 3);
    assert_int_equal(V_VT(&items[2]), VT_R4);
    assert_true(V_R4(&items[2]) == fl[2]);
    values_free(items, count);
    SafeArrayDestroy(sa);

    /* A Variant() of mixed values, by reference through a Variant. */
    sa = SafeArrayCreateVector(VT_VARIANT, 0, 2);
    idx = 0; arg = bstr(L"x"); SafeArrayPutElement(sa, &idx, &arg); VariantClear(&arg);
    idx = 1; arg = dec("5", 0); SafeArrayPutElement(sa, &idx, &arg);
    V_VT(&arg) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(&arg) = sa;
    V_VT(&ref) = VT_BYREF | VT_VARIANT;
    V_VARIANTREF(&ref) = &arg;
    assert_int_equal(values_collect(L"Pack", L"values", iid, &ref, &items, &count), S_OK);
    assert_int_equal(count, 2);
    assert_wstr_equal(V_BSTR(&items[0]), L"x");
    assert_int_equal(V_VT(&items[1]), VT_DECIMAL);
    assert_true(V_DECIMAL(&items[1]).Lo64 == 5);
    values_free(items, count);
    VariantClear(&arg);

    /* Decimal() and String() arrays. */
    sa = SafeArrayCreateVector(VT_DECIMAL, 0, 1);
    idx = 0; arg = dec("-7", 0); SafeArrayPutElement(sa, &idx, &V_DECIMAL(&arg));
    V_VT(&arg) = VT_ARRAY | VT_DECIMAL;
    V_ARRAY(&arg) = sa;
    assert_int_equal(values_collect(L"WriteArray", L"values", iid, &arg, &items, &count), S_OK);
    assert_int_equal(V_VT(&items[0]), VT_DECIMAL);
    assert_int_equal(V_DECIMAL(&items[0]).sign, DECIMAL_NEG);
    values_free(items, count);
    VariantClear(&arg);

    /* Two dimensions, a number, nothing: refused with the reason. */
    sa = SafeArrayCreate(VT_I4, 2, bounds);
    V_VT(&arg) = VT_ARRAY | VT_I4;
    V_ARRAY(&arg) = sa;
    assert_error(values_collect(L"WriteArray", L"values", iid, &arg, &items, &count), E_INVALIDARG,
                 L"WriteArray: values must be a one-dimensional array, not 2-dimensional");
    VariantClear(&arg);
    arg = i4(5);
    assert_error(values_collect(L"WriteArray", L"values", iid, &arg, &items, &count), DISP_E_TYPEMISMATCH,
                 L"WriteArray: values must be an array (a Variant(), a typed array or a JScript array), not a Number");
    V_VT(&arg) = VT_ERROR;
    V_ERROR(&arg) = DISP_E_PARAMNOTFOUND;
    assert_error(values_collect(L"WriteArray", L"values", iid, &arg, &items, &count), DISP_E_TYPEMISMATCH,
                 L"WriteArray: values must be an array (a Variant(), a typed array or a JScript array), not missing");
    assert_null(items);
    assert_int_equal(count, 0);
}

/* ---- text.c ---- */

static void parse_enc(const char *name, struct sr_encoding *enc)
{
    WCHAR w[32];
    MultiByteToWideChar(CP_ACP, 0, name, -1, w, ARRAY_SIZE(w));
    assert_int_equal(text_parse_encoding_name(L"ReadString", iid, w, enc), S_OK);
}

static void test_encodings_match_python(void **state)
{
    unsigned int i;
    (void)state;
    for (i = 0; i < ARRAY_SIZE(venc); i++)
    {
        struct sr_encoding enc;
        BYTE *bytes;
        SIZE_T n;
        BSTR text;

        parse_enc(venc[i].encoding, &enc);
        assert_int_equal(text_encode(L"WriteString", iid, &enc, venc[i].text, venc[i].len, 2, &bytes, &n), S_OK);
        if (n != venc[i].n || memcmp(bytes, venc[i].bytes, n))
        {
            print_error("%s: %Iu bytes, expected %Iu\n", venc[i].encoding, n, venc[i].n);
            fail();
        }
        assert_int_equal(bytes[n], 0);
        assert_int_equal(bytes[n + 1], 0);
        HeapFree(GetProcessHeap(), 0, bytes);
        assert_int_equal(text_decode(L"ReadString", iid, &enc, venc[i].bytes, venc[i].n, 0, &text), S_OK);
        assert_int_equal(SysStringLen(text), venc[i].len);
        assert_memory_equal(text, venc[i].text, venc[i].len * sizeof(WCHAR));
        SysFreeString(text);
    }
}

static void test_unencodable_character_is_an_error(void **state)
{
    unsigned int i;
    (void)state;
    for (i = 0; i < ARRAY_SIZE(vunenc); i++)
    {
        struct sr_encoding enc;
        WCHAR msg[256];
        BYTE *bytes = (BYTE *)1;
        SIZE_T n = 1;

        parse_enc(vunenc[i].encoding, &enc);
        swprintf(msg, ARRAY_SIZE(msg), L"WriteString: the character U+%04X at position %u of the text cannot be "
                 L"written in %ls", vunenc[i].ch, vunenc[i].pos, enc.name);
        assert_error(text_encode(L"WriteString", iid, &enc, vunenc[i].text, vunenc[i].len, 1, &bytes, &n),
                     SR_E_BADENCODING, msg);
        assert_null(bytes);
        assert_int_equal(n, 0);
    }
}

static void test_invalid_bytes_are_an_error(void **state)
{
    unsigned int i;
    (void)state;
    for (i = 0; i < ARRAY_SIZE(vundec); i++)
    {
        struct sr_encoding enc;
        BSTR text = (BSTR)1;
        WCHAR msg[256];

        parse_enc(vundec[i].encoding, &enc);
        swprintf(msg, ARRAY_SIZE(msg), L"ReadString: the %Iu bytes at offset 100 are not valid %ls", vundec[i].n,
                 enc.codepage == CP_UTF8 ? L"UTF-8" : enc.name);
        if (enc.codepage == 20127)
            swprintf(msg, ARRAY_SIZE(msg), L"ReadString: the %Iu bytes at offset 100 are not valid ascii (byte 0xE9 "
                     L"at offset 103)", vundec[i].n);
        assert_error(text_decode(L"ReadString", iid, &enc, vundec[i].bytes, vundec[i].n, 100, &text),
                     SR_E_BADENCODING, msg);
        assert_null(text);
    }
}

static void test_encoding_names(void **state)
{
    static const struct { const WCHAR *name; UINT cp; UINT unit; const WCHAR *canon; } names[] =
    {
        { L"utf-8", CP_UTF8, 1, L"utf-8" }, { L"UTF8", CP_UTF8, 1, L"utf-8" }, { L"", CP_UTF8, 1, L"utf-8" },
        { L"utf-16", 1200, 2, L"utf-16" }, { L"utf-16le", 1200, 2, L"utf-16" }, { L"Unicode", 1200, 2, L"utf-16" },
        { L"ascii", 20127, 1, L"ascii" }, { L"us-ascii", 20127, 1, L"ascii" }, { L"latin-1", 28591, 1, L"latin-1" },
        { L"latin1", 28591, 1, L"latin-1" }, { L"ISO-8859-1", 28591, 1, L"latin-1" },
        { L"windows-1252", 1252, 1, L"cp1252" }, { L"cp1252", 1252, 1, L"cp1252" }, { L"CP932", 932, 1, L"cp932" },
        { L"cp65001", CP_UTF8, 1, L"utf-8" }, { L"cp28591", 28591, 1, L"latin-1" },
    };
    struct sr_encoding enc;
    unsigned int i;
    VARIANT v;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        assert_int_equal(text_parse_encoding_name(L"ReadString", iid, names[i].name, &enc), S_OK);
        assert_int_equal(enc.codepage, names[i].cp);
        assert_int_equal(enc.unit, names[i].unit);
        assert_wstr_equal(enc.name, names[i].canon);
    }
    assert_int_equal(text_parse_encoding_name(L"ReadString", iid, L"ansi", &enc), S_OK);
    assert_int_equal(enc.codepage, GetACP());
    assert_int_equal(text_parse_encoding_name(L"ReadString", iid, L"oem", &enc), S_OK);
    assert_int_equal(enc.codepage, GetOEMCP());
    assert_error(text_parse_encoding_name(L"ReadString", iid, L"ebcdic", &enc), E_INVALIDARG,
                 L"ReadString: encoding 'ebcdic' is not one of \"utf-8\", \"utf-16\", \"ansi\", \"oem\", \"ascii\", "
                 L"\"latin-1\" or a code page \"cpNNN\"");
    assert_error(text_parse_encoding_name(L"ReadString", iid, L"cp99999", &enc), E_INVALIDARG,
                 L"ReadString: encoding 'cp99999' is not one of \"utf-8\", \"utf-16\", \"ansi\", \"oem\", \"ascii\", "
                 L"\"latin-1\" or a code page \"cpNNN\"");
    assert_error(text_parse_encoding_name(L"ReadString", iid, L"cp12345", &enc), E_INVALIDARG,
                 L"ReadString: encoding 'cp12345': code page 12345 is not installed on this system or cannot be used here");
    V_VT(&v) = VT_ERROR;
    V_ERROR(&v) = DISP_E_PARAMNOTFOUND;
    assert_int_equal(text_parse_encoding(L"ReadString", iid, &v, &enc), S_OK);
    assert_int_equal(enc.codepage, CP_UTF8);
    v = bstr(L"cp936");
    assert_int_equal(text_parse_encoding(L"ReadString", iid, &v, &enc), S_OK);
    VariantClear(&v);
    assert_wstr_equal(enc.name, L"cp936"); /* still valid after the argument is gone */
}

static void test_utf8_keeps_its_messages(void **state)
{
    struct sr_encoding enc;
    BYTE *bytes;
    SIZE_T n;
    (void)state;
    parse_enc("utf-8", &enc);
    assert_error(text_encode(L"WriteString", iid, &enc, L"a\xd800z", 3, 1, &bytes, &n), SR_E_BADENCODING,
                 L"WriteString: the text has an unpaired surrogate and cannot be written as UTF-8");
    parse_enc("latin-1", &enc);
    assert_int_equal(text_encode(L"WriteString", iid, &enc, L"", 0, 1, &bytes, &n), S_OK);
    assert_int_equal(n, 0);
    assert_int_equal(bytes[0], 0);
    HeapFree(GetProcessHeap(), 0, bytes);
}

/* ---- structfmt.c ---- */

static void make_value(const struct vval *val, VARIANT *v, unsigned int variant)
{
    switch (val->kind)
    {
    case 'D':
    {
        /* Exact integers beyond 2^53: as a digit string or a Decimal, alternately (beyond 64 bits, where
         * the Decimal built here cannot go, as a string). */
        WCHAR w[32];
        MultiByteToWideChar(CP_ACP, 0, val->digits, -1, w, ARRAY_SIZE(w));
        if ((variant & 1) || strlen(val->digits) > 20 || (strlen(val->digits) == 20 && val->digits[0] != '-'
            && strcmp(val->digits, "18446744073709551615") > 0))
            *v = bstr(w);
        else *v = dec(val->digits, 0);
        break;
    }
    case 'b':
        V_VT(v) = VT_BOOL;
        V_BOOL(v) = val->num ? VARIANT_TRUE : VARIANT_FALSE;
        break;
    case 's':
        V_VT(v) = VT_BSTR;
        V_BSTR(v) = SysAllocStringLen(val->text, val->len);
        break;
    default:
        if ((variant & 1) && val->num == floor(val->num) && fabs(val->num) < 2147483647.0 && !signbit(val->num))
            *v = i4((LONG)val->num);
        else *v = r8(val->num);
        break;
    }
}

static void check_value(const VARIANT *got, const struct vval *expect, VARTYPE vt, unsigned int c, unsigned int k)
{
    if (V_VT(got) != vt)
    {
        print_error("case %u field %u: vt %u, expected %u\n", c, k, V_VT(got), vt);
        fail();
    }
    switch (vt)
    {
    case VT_I2: assert_true(V_I2(got) == expect->num); break;
    case VT_UI1: assert_true(V_UI1(got) == expect->num); break;
    case VT_I4: assert_true(V_I4(got) == expect->num); break;
    case VT_R8: check_double(V_R8(got), expect->num); break;
    case VT_BOOL: assert_int_equal(V_BOOL(got), expect->num ? VARIANT_TRUE : VARIANT_FALSE); break;
    case VT_DECIMAL:
        check_decimal(got, expect->digits[0] == '-', _strtoui64(expect->digits + (expect->digits[0] == '-'), NULL, 10));
        break;
    case VT_BSTR:
        if (SysStringLen(V_BSTR(got)) != expect->len || memcmp(V_BSTR(got), expect->text, expect->len * sizeof(WCHAR)))
        {
            print_error("case %u field %u: \"%ls\", expected \"%ls\"\n", c, k, V_BSTR(got), expect->text);
            fail();
        }
        break;
    default: fail();
    }
}

static void test_struct_vectors_from_python(void **state)
{
    const int bits = sizeof(void *) * 8;
    struct sr_encoding enc;
    unsigned int c, k, run = 0;

    (void)state;
    parse_enc("utf-8", &enc);
    for (c = 0; c < ARRAY_SIZE(vcases); c++)
    {
        const struct vcase *vc = &vcases[c];
        struct sr_format *f;
        VARIANT out, *vals, in[64];
        BYTE *packed;
        HRESULT hr;

        if (vc->bits && vc->bits != bits) continue;
        run++;
        hr = format_parse(L"Unpack", iid, vc->format, &f);
        if (hr != S_OK) { print_error("case %u \"%ls\": %ls\n", c, vc->format, last_error()); fail(); }
        if (format_size(f) != vc->size)
        {
            print_error("case %u \"%ls\": size %I64u, expected %Iu\n", c, vc->format, format_size(f), vc->size);
            fail();
        }
        assert_int_equal(format_fields(f), vc->count);

        /* Unpack of Python's bytes. */
        hr = format_unpack(L"Unpack", iid, f, vc->bytes, &enc, &out);
        if (hr != S_OK) { print_error("case %u \"%ls\": %ls\n", c, vc->format, last_error()); fail(); }
        assert_int_equal(V_VT(&out), VT_ARRAY | VT_VARIANT);
        assert_int_equal(V_ARRAY(&out)->rgsabound[0].cElements, vc->count);
        assert_int_equal(V_ARRAY(&out)->rgsabound[0].lLbound, 0);
        SafeArrayAccessData(V_ARRAY(&out), (void **)&vals);
        for (k = 0; k < vc->count; k++) check_value(&vals[k], &vc->out[k], vc->vts[k], c, k);
        SafeArrayUnaccessData(V_ARRAY(&out));
        VariantClear(&out);

        /* Pack gives Python's bytes, padding included. */
        assert_true(vc->count <= ARRAY_SIZE(in));
        for (k = 0; k < vc->count; k++) make_value(&vc->in[k], &in[k], c + k);
        packed = malloc(vc->size + 1);
        memset(packed, 0xcc, vc->size + 1);
        hr = format_pack(L"Pack", iid, f, in, vc->count, &enc, packed);
        if (hr != S_OK) { print_error("case %u \"%ls\": %ls\n", c, vc->format, last_error()); fail(); }
        if (memcmp(packed, vc->bytes, vc->size))
        {
            print_error("case %u \"%ls\": packed bytes differ from Python's\n", c, vc->format);
            fail();
        }
        assert_int_equal(packed[vc->size], 0xcc);
        free(packed);
        for (k = 0; k < vc->count; k++) VariantClear(&in[k]);
        format_release(f);
    }
    print_message("%u struct vectors checked for %d-bit\n", run, bits);
    assert_true(run > 200);
}

static void test_struct_native_layouts(void **state)
{
    const int bits = sizeof(void *) * 8;
    unsigned int i;
    (void)state;
    for (i = 0; i < ARRAY_SIZE(vsizes); i++)
    {
        struct sr_format *f;
        if (vsizes[i].bits != bits) continue;
        assert_int_equal(format_parse(L"CalcSize", iid, vsizes[i].format, &f), S_OK);
        if (format_size(f) != vsizes[i].size)
        {
            print_error("\"%ls\": %I64u, expected %Iu\n", vsizes[i].format, format_size(f), vsizes[i].size);
            fail();
        }
        format_release(f);
    }
}

static void test_struct_bad_formats(void **state)
{
    struct sr_format *f;
    unsigned int i;
    (void)state;
    for (i = 0; i < ARRAY_SIZE(vbad_formats); i++)
    {
        f = (struct sr_format *)1;
        assert_error_contains(format_parse(L"Unpack", iid, vbad_formats[i], &f), E_INVALIDARG, L"position");
        assert_null(f);
    }
    assert_error(format_parse(L"Unpack", iid, L"<hz", &f), E_INVALIDARG,
                 L"Unpack: format \"<hz\" has a bad character 'z' at position 2");
    assert_error(format_parse(L"Unpack", iid, L"2 h", &f), E_INVALIDARG,
                 L"Unpack: format \"2 h\" has a bad character U+0020 at position 1");
    assert_error(format_parse(L"CalcSize", iid, L"hh4", &f), E_INVALIDARG,
                 L"CalcSize: format \"hh4\": the count at position 2 has no code after it");
    assert_error(format_parse(L"Pack", iid, L">P", &f), E_INVALIDARG,
                 L"Pack: format \">P\": the code 'P' at position 1 exists only in native mode ('@' or no prefix)");
    assert_error(format_parse(L"Unpack", iid, L"<2000000000h", &f), E_INVALIDARG,
                 L"Unpack: format \"<2000000000h\": the struct is over 2147483647 bytes at position 11");
    /* An empty format is a struct of no fields and no bytes, as in Python. */
    assert_int_equal(format_parse(L"CalcSize", iid, L"", &f), S_OK);
    assert_int_equal(format_size(f), 0);
    assert_int_equal(format_fields(f), 0);
    format_release(f);
}

static void test_struct_bad_values_write_nothing(void **state)
{
    struct sr_encoding enc;
    unsigned int i, k;
    BYTE out[16];
    VARIANT in[4];
    struct sr_format *f;

    (void)state;
    parse_enc("utf-8", &enc);
    for (i = 0; i < ARRAY_SIZE(vbad_packs); i++)
    {
        assert_int_equal(format_parse(L"Pack", iid, vbad_packs[i].format, &f), S_OK);
        for (k = 0; k < vbad_packs[i].count; k++) make_value(&vbad_packs[i].in[k], &in[k], k);
        memset(out, 0x77, sizeof(out));
        if (format_pack(L"Pack", iid, f, in, vbad_packs[i].count, &enc, out) != E_INVALIDARG)
        {
            print_error("\"%ls\": %ls\n", vbad_packs[i].format, last_error());
            fail();
        }
        for (k = 0; k < sizeof(out); k++) assert_int_equal(out[k], 0x77);
        for (k = 0; k < vbad_packs[i].count; k++) VariantClear(&in[k]);
        format_release(f);
    }
    assert_int_equal(format_parse(L"Pack", iid, L"<bh", &f), S_OK);
    in[0] = i4(1);
    in[1] = i4(40000);
    assert_error(format_pack(L"Pack", iid, f, in, 2, &enc, out), E_INVALIDARG,
                 L"Pack: field 1 ('h'): value 40000 is out of range; Int16 takes -32768 to 32767");
    assert_error(format_pack(L"Pack", iid, f, in, 1, &enc, out), E_INVALIDARG,
                 L"Pack: format \"<bh\" has 2 fields; 1 value was given");
    assert_error(format_pack(L"Pack", iid, f, in, 3, &enc, out), E_INVALIDARG,
                 L"Pack: format \"<bh\" has 2 fields; 3 values were given");
    format_release(f);
    /* 'P' takes a negative number as Python does: its two's complement. */
    assert_int_equal(format_parse(L"Pack", iid, L"P", &f), S_OK);
    in[0] = i4(-2);
    assert_int_equal(format_pack(L"Pack", iid, f, in, 1, &enc, out), S_OK);
    assert_memory_equal(out, "\xfe\xff\xff\xff\xff\xff\xff\xff", sizeof(void *));
    format_release(f);
    assert_int_equal(format_parse(L"Pack", iid, L"<2e", &f), S_OK);
    in[0] = r8(1);
    in[1] = r8(65520);
    assert_error(format_pack(L"Pack", iid, f, in, 2, &enc, out), E_INVALIDARG,
                 L"Pack: field 1 ('e'): value 65520 is out of range; a half float takes -65504 to 65504");
    format_release(f);
    assert_int_equal(format_parse(L"Pack", iid, L"c", &f), S_OK);
    in[0] = bstr(L"ab");
    assert_error(format_pack(L"Pack", iid, f, in, 1, &enc, out), E_INVALIDARG,
                 L"Pack: field 0 ('c'): value must be a String of one character U+0000..U+00FF, not a String of "
                 L"another length");
    VariantClear(&in[0]);
    format_release(f);
    assert_int_equal(format_parse(L"Pack", iid, L"4s", &f), S_OK);
    in[0] = i4(3);
    assert_error(format_pack(L"Pack", iid, f, in, 1, &enc, out), DISP_E_TYPEMISMATCH,
                 L"Pack: field 0 ('4s'): value must be a String, not a Number");
    parse_enc("ascii", &enc);
    in[0] = bstr(L"\x00e9t\x00e9");
    assert_error(format_pack(L"Pack", iid, f, in, 1, &enc, out), SR_E_BADENCODING,
                 L"Pack: field 0 ('4s'): the character U+00E9 at position 0 of the text cannot be written in ascii");
    VariantClear(&in[0]);
    format_release(f);
}

static void test_struct_text_fields_use_the_encoding(void **state)
{
    static const BYTE frame[] = { 'C', 'a', 'f', 0xe9, 0, 'x', 0x41, 0, 0xe9, 0, 0, 0, 3, 0xe0, 'b', 'c', 'z' };
    struct sr_encoding enc;
    struct sr_format *f;
    VARIANT out, *vals, in[3];
    BYTE packed[sizeof(frame)];

    (void)state;
    parse_enc("cp1252", &enc);
    assert_int_equal(format_parse(L"Unpack", iid, L"<6s3w4p", &f), S_OK);
    assert_int_equal(format_size(f), 16);
    assert_int_equal(format_unpack(L"Unpack", iid, f, frame, &enc, &out), S_OK);
    SafeArrayAccessData(V_ARRAY(&out), (void **)&vals);
    assert_wstr_equal(V_BSTR(&vals[0]), L"Caf\x00e9");
    assert_wstr_equal(V_BSTR(&vals[1]), L"A\x00e9");
    assert_wstr_equal(V_BSTR(&vals[2]), L"\x00e0" L"bc");
    SafeArrayUnaccessData(V_ARRAY(&out));
    VariantClear(&out);
    /* Pack: truncated and NUL-padded to the field's size, as Python does with bytes. */
    in[0] = bstr(L"Caf\x00e9");
    in[1] = bstr(L"A\x00e9");
    in[2] = bstr(L"\x00e0" L"bcdef");
    memset(packed, 0x11, sizeof(packed));
    assert_int_equal(format_pack(L"Pack", iid, f, in, 3, &enc, packed), S_OK);
    assert_memory_equal(packed, "Caf\xe9\0\0A\0\xe9\0\0\0\x03\xe0" "bc", 16);
    assert_int_equal(packed[16], 0x11);
    VariantClear(&in[0]); VariantClear(&in[1]); VariantClear(&in[2]);
    /* Bytes that are not valid in the encoding name the field. */
    parse_enc("utf-8", &enc);
    assert_error(format_unpack(L"Unpack", iid, f, frame, &enc, &out), SR_E_BADENCODING,
                 L"Unpack: field 0 ('6s'): the 4 bytes at byte 0 of the struct are not valid UTF-8");
    assert_int_equal(V_VT(&out), VT_EMPTY);
    format_release(f);
    /* An empty Pascal string: no bytes, one (empty) value. (Python 3.11 packs '0p' by writing 255 into
     * the byte after the field, past it; SharedRegion writes nothing there.) */
    assert_int_equal(format_parse(L"Pack", iid, L"<0px", &f), S_OK);
    assert_int_equal(format_size(f), 1);
    assert_int_equal(format_fields(f), 1);
    in[0] = bstr(L"abc");
    memset(packed, 0x11, sizeof(packed));
    assert_int_equal(format_pack(L"Pack", iid, f, in, 1, &enc, packed), S_OK);
    assert_int_equal(packed[0], 0);
    assert_int_equal(packed[1], 0x11);
    VariantClear(&in[0]);
    assert_int_equal(format_unpack(L"Unpack", iid, f, frame, &enc, &out), S_OK);
    SafeArrayAccessData(V_ARRAY(&out), (void **)&vals);
    assert_wstr_equal(V_BSTR(&vals[0]), L"");
    SafeArrayUnaccessData(V_ARRAY(&out));
    VariantClear(&out);
    format_release(f);
}

/* ---- issue 16: sizes that must not wrap, strict UTF-16, code pages that cannot be checked ---- */

/* A parse that must fail with exactly this sentence, and return no format. */
static void parse_fails(const WCHAR *method, const WCHAR *format, const WCHAR *text, int line)
{
    struct sr_format *f = (struct sr_format *)1;
    HRESULT hr = format_parse(method, iid, format, &f);
    if (hr != E_INVALIDARG || wcscmp(last_error(), text))
    {
        print_error("line %d: \"%.60ls\": hr %#lx '%ls', expected E_INVALIDARG '%ls'\n", line, format, hr, last_error(),
                    text);
        fail();
    }
    assert_null(f);
}

/* A parse that must succeed with exactly this size and field count. */
static void parse_gives(const WCHAR *format, ULONGLONG size, ULONG fields, int line)
{
    struct sr_format *f = NULL;
    HRESULT hr = format_parse(L"CalcSize", iid, format, &f);
    if (hr != S_OK || (ULONGLONG)format_size(f) != size || format_fields(f) != fields)
    {
        print_error("line %d: \"%.60ls\": hr %#lx size %I64u fields %lu, expected S_OK %I64u %lu (%ls)\n", line, format,
                    hr, f ? (ULONGLONG)format_size(f) : 0, f ? format_fields(f) : 0, size, fields, last_error());
        fail();
    }
    format_release(f);
}

static void test_struct_size_is_checked_after_the_padding(void **state)
{
    const int bits = sizeof(void *) * 8;
    (void)state;
    /* At the limit exactly, and without alignment ('<'), a struct of 2^31 - 1 bytes is taken. */
    parse_gives(L"2147483647x", 2147483647, 0, __LINE__);
    parse_gives(L"<2147483647x0q", 2147483647, 0, __LINE__);
    parse_gives(L"2147483632xq", 2147483640, 1, __LINE__);
    parse_gives(L"268435455q", 2147483640, 268435455, __LINE__);
    /* The padding before a code is what passes the limit: refused at that code, in both bitnesses (an
     * x64 DLL gave 2147483656 for the first and an x86 one 7 for the second). */
    parse_fails(L"CalcSize", L"2147483647xq",
                L"CalcSize: format \"2147483647xq\": the struct is over 2147483647 bytes at position 11", __LINE__);
    parse_fails(L"CalcSize", L"2147483647xq2147483647x",
                L"CalcSize: format \"2147483647xq2147483647x\": the struct is over 2147483647 bytes at position 11",
                __LINE__);
    parse_fails(L"Unpack", L"2147483647x0q",
                L"Unpack: format \"2147483647x0q\": the struct is over 2147483647 bytes at position 12", __LINE__);
    parse_fails(L"Pack", L"2147483633xq",
                L"Pack: format \"2147483633xq\": the struct is over 2147483647 bytes at position 11", __LINE__);
    parse_fails(L"CalcSize", L"@c268435455q",
                L"CalcSize: format \"@c268435455q\": the struct is over 2147483647 bytes at position 11", __LINE__);
    parse_fails(L"CalcSize", L"h2147483646x",
                L"CalcSize: format \"h2147483646x\": the struct is over 2147483647 bytes at position 11", __LINE__);
    parse_fails(L"CalcSize", L"268435456q",
                L"CalcSize: format \"268435456q\": the struct is over 2147483647 bytes at position 9", __LINE__);
    parse_fails(L"CalcSize", L"4294967296x",
                L"CalcSize: format \"4294967296x\": the count at position 0 is too large (the struct would be over "
                L"2147483647 bytes)", __LINE__);
    /* 'P' is 8 bytes aligned on 8 in a 64-bit DLL, 4 on 4 in a 32-bit one. */
    if (bits == 64)
        parse_fails(L"CalcSize", L"2147483640xP",
                    L"CalcSize: format \"2147483640xP\": the struct is over 2147483647 bytes at position 11", __LINE__);
    else
        parse_gives(L"2147483640xP", 2147483644, 1, __LINE__);
    parse_fails(L"CalcSize", L"2147483644xP",
                L"CalcSize: format \"2147483644xP\": the struct is over 2147483647 bytes at position 11", __LINE__);
}

static void test_format_length_is_capped_before_anything_is_allocated(void **state)
{
    WCHAR *text = malloc((16u << 20) * sizeof(WCHAR) + sizeof(WCHAR));
    ULONG i;
    (void)state;

    for (i = 0; i < (16u << 20); i++) text[i] = 'x';
    text[65536] = 0;
    parse_gives(text, 65536, 0, __LINE__);
    text[65536] = 'x';
    text[65537] = 0;
    parse_fails(L"CalcSize", text, L"CalcSize: the format is 65537 characters long, more than a format may have (65536)",
                __LINE__);
    /* 268,435,455 characters made an x86 DLL allocate 24 bytes and parse into them; 16 Mi characters
     * here: refused by its length alone. */
    text[65537] = 'x';
    text[16u << 20] = 0;
    parse_fails(L"Unpack", text, L"Unpack: the format is 16777216 characters long, more than a format may have (65536)",
                __LINE__);
    free(text);
}

static void test_collect_refuses_more_elements_than_a_variant_array_holds(void **state)
{
    static BYTE memory[64];
    VARIANT arg, *items = (VARIANT *)1;
    ULONG count = 1;
    SAFEARRAY *sa;
    (void)state;

    /* 256 MiB + 1 bytes: 2^28 + 1 VARIANTs, whose size wraps to 16 bytes in 32 bits. */
    sa = claimed_array(VT_UI1, 268435457, memory);
    V_VT(&arg) = VT_ARRAY | VT_UI1;
    V_ARRAY(&arg) = sa;
    assert_error(values_collect(L"Pack", L"values", iid, &arg, &items, &count), E_INVALIDARG,
                 L"Pack: values has 268435457 elements, more than one call can take (89478485)");
    assert_null(items);
    assert_int_equal(count, 0);
    assert_int_equal(sa->cLocks, 0); /* given back */
    sa->rgsabound[0].cElements = 89478486; /* one past the limit */
    items = (VARIANT *)1;
    assert_error(values_collect(L"Pack", L"values", iid, &arg, &items, &count), E_INVALIDARG,
                 L"Pack: values has 89478486 elements, more than one call can take (89478485)");
    assert_null(items);
    assert_int_equal(SafeArrayDestroyDescriptor(sa), S_OK);
}

static void test_unpack_refuses_more_fields_than_a_variant_array_holds(void **state)
{
    static const BYTE bytes[64];
    struct sr_encoding enc;
    struct sr_format *f;
    VARIANT out;
    (void)state;

    parse_enc("utf-8", &enc);
    /* 178956971 VARIANTs are 2^32 + 8 bytes in a 64-bit process: refused before anything is made or read. */
    parse_gives(L"178956971B", 178956971, 178956971, __LINE__);
    assert_int_equal(format_parse(L"Unpack", iid, L"178956971B", &f), S_OK);
    V_VT(&out) = VT_I4;
    assert_error(format_unpack(L"Unpack", iid, f, bytes, &enc, &out), E_INVALIDARG,
                 L"Unpack: format \"178956971B\" has 178956971 fields, more than one call can return (89478485)");
    assert_int_equal(V_VT(&out), VT_EMPTY);
    format_release(f);
    assert_int_equal(format_parse(L"Unpack", iid, L"<89478486?", &f), S_OK);
    assert_error(format_unpack(L"Unpack", iid, f, bytes, &enc, &out), E_INVALIDARG,
                 L"Unpack: format \"<89478486?\" has 89478486 fields, more than one call can return (89478485)");
    format_release(f);
}

/* The fuzz pass over the size arithmetic: formats built from counts near 2^28, 2^31 and 2^32 (and a few
 * either side), pads, every code, each prefix, and lengths near the cap; each parse is held to a model
 * of Python's layout rules with SharedRegion's limits, computed here in 64 bits: the exact size and
 * field count, or the exact refusal at the exact position. A format Unpack cannot return is refused by
 * format_unpack before it reads a byte, and format_pack refuses a wrong count before it writes one. */
static ULONGLONG fz_seed = 0x16160016ULL;
static ULONGLONG fz_next(void)
{
    fz_seed ^= fz_seed << 13;
    fz_seed ^= fz_seed >> 7;
    fz_seed ^= fz_seed << 17;
    return fz_seed;
}

static ULONGLONG fz_count(void)
{
    static const ULONGLONG anchors[] = { 1ULL << 28, 1ULL << 31, 1ULL << 32, 178956971, 89478485, 268435455 };
    switch (fz_next() % 6)
    {
    case 0: return fz_next() % 4;
    case 1: return fz_next() % 20;
    default:
    {
        ULONGLONG base = anchors[fz_next() % ARRAY_SIZE(anchors)], delta = fz_next() % 9;
        ULONGLONG scale = (fz_next() % 3 == 0) ? 8 : 1; /* a count for 8-byte codes near the same sizes */
        base /= scale;
        return (fz_next() & 1) ? base + delta : (base >= delta ? base - delta : 0);
    }
    }
}

struct fz_code { WCHAR code; unsigned int std, native, align; };

static void test_struct_sizes_near_the_limits_fuzz(void **state)
{
    const unsigned int ptr = sizeof(void *);
    static const struct fz_code all[] =
    {
        { 'x', 1, 1, 1 }, { 'c', 1, 1, 1 }, { 'b', 1, 1, 1 }, { 'B', 1, 1, 1 }, { '?', 1, 1, 1 }, { 'h', 2, 2, 2 },
        { 'H', 2, 2, 2 }, { 'i', 4, 4, 4 }, { 'I', 4, 4, 4 }, { 'l', 4, 4, 4 }, { 'L', 4, 4, 4 }, { 'q', 8, 8, 8 },
        { 'Q', 8, 8, 8 }, { 'e', 2, 2, 2 }, { 'f', 4, 4, 4 }, { 'd', 8, 8, 8 }, { 's', 1, 1, 1 }, { 'p', 1, 1, 1 },
        { 'w', 2, 2, 2 }, { 'n', 0, 0, 0 }, { 'N', 0, 0, 0 }, { 'P', 0, 0, 0 },
    };
    static const WCHAR prefixes[] = { 0, '@', '<', '>', '=', '!' };
    static const BYTE bytes[16];
    struct sr_encoding enc;
    unsigned int c, refused = 0, taken = 0, unpack_refused = 0;
    WCHAR *text = malloc((SR_MAX_FORMAT + 64) * sizeof(WCHAR)), expect[512];
    (void)state;

    parse_enc("utf-8", &enc);
    for (c = 0; c < 4000; c++)
    {
        WCHAR prefix = prefixes[fz_next() % ARRAY_SIZE(prefixes)];
        BOOL native = prefix == 0 || prefix == '@', bad = FALSE;
        ULONGLONG size = 0, fields = 0;
        unsigned int items = 1 + (unsigned int)(fz_next() % 4), k, len = 0, pos = 0;
        struct sr_format *f = (struct sr_format *)1;
        HRESULT hr;

        if (prefix) text[len++] = prefix;
        expect[0] = 0;
        for (k = 0; k < items; k++)
        {
            const struct fz_code *fc = &all[fz_next() % (native ? ARRAY_SIZE(all) : ARRAY_SIZE(all) - 3)];
            ULONGLONG count = fz_count(), elem, align;
            unsigned int start = len;
            BOOL written = fz_next() % 5 != 0 || count != 1;

            if (written) len += swprintf(text + len, 32, L"%I64u", count);
            pos = len;
            text[len++] = fc->code;
            if (bad) continue;
            elem = fc->std ? (native ? fc->native : fc->std) : ptr;
            align = native ? (fc->std ? fc->align : ptr) : 1;
            if (count > SR_MAX_COUNT)
            {
                swprintf(expect, ARRAY_SIZE(expect), L"the count at position %u is too large (the struct would be over "
                         L"2147483647 bytes)", start);
                bad = TRUE;
                continue;
            }
            if (size % align) size += align - size % align;
            if (size + count * elem > SR_MAX_COUNT)
            {
                swprintf(expect, ARRAY_SIZE(expect), L"the struct is over 2147483647 bytes at position %u", pos);
                bad = TRUE;
                continue;
            }
            size += count * elem;
            fields += (fc->code == 's' || fc->code == 'p' || fc->code == 'w') ? 1 : fc->code == 'x' ? 0 : count;
        }
        text[len] = 0;
        hr = format_parse(L"Unpack", iid, text, &f);
        if (bad)
        {
            WCHAR full[600];
            swprintf(full, ARRAY_SIZE(full), L"Unpack: format \"%.100ls\": %ls", text, expect);
            if (hr != E_INVALIDARG || wcscmp(last_error(), full) || f)
                fail_msg("case %u \"%ls\": hr %#lx '%ls', expected '%ls'", c, text, hr, last_error(), full);
            refused++;
            continue;
        }
        if (hr != S_OK || (ULONGLONG)format_size(f) != size || format_fields(f) != fields)
            fail_msg("case %u \"%ls\": hr %#lx size %I64u fields %lu, expected %I64u and %I64u (%ls)", c, text, hr,
                     hr == S_OK ? (ULONGLONG)format_size(f) : 0, hr == S_OK ? format_fields(f) : 0, size, fields,
                     last_error());
        taken++;
        if (fields > SR_MAX_ITEMS)
        {
            /* Refused before the 16 bytes given are read, or any VARIANT is made. */
            VARIANT out;
            swprintf(expect, ARRAY_SIZE(expect), L"Unpack: format \"%.100ls\" has %I64u fields, more than one call can "
                     L"return (89478485)", text, fields);
            assert_error(format_unpack(L"Unpack", iid, f, bytes, &enc, &out), E_INVALIDARG, expect);
            unpack_refused++;
        }
        if (fields != 1)
        {
            /* A count that does not match is refused before the struct's buffer is allocated or written. */
            VARIANT one = i4(1);
            BYTE target[16];
            memset(target, 0x5a, sizeof(target));
            assert_int_equal(format_pack(L"Pack", iid, f, &one, 1, &enc, target), E_INVALIDARG);
            for (k = 0; k < sizeof(target); k++) assert_int_equal(target[k], 0x5a);
        }
        format_release(f);
    }
    /* Format lengths near the cap (65532 to 65540 characters of whitespace and pad codes). */
    for (c = 0; c < 40; c++)
    {
        unsigned int len = SR_MAX_FORMAT - 4 + c % 9, i;
        for (i = 0; i < len; i++) text[i] = (fz_next() & 1) ? ' ' : 'x';
        text[len] = 0;
        if (len > SR_MAX_FORMAT)
        {
            swprintf(expect, ARRAY_SIZE(expect), L"CalcSize: the format is %u characters long, more than a format may "
                     L"have (65536)", len);
            parse_fails(L"CalcSize", text, expect, __LINE__);
            refused++;
        }
        else
        {
            ULONGLONG pads = 0;
            for (i = 0; i < len; i++) pads += text[i] == 'x';
            parse_gives(text, pads, 0, __LINE__);
            taken++;
        }
    }
    print_message("[ FIGURES  ] size fuzz: %u formats refused exactly as the model says, %u taken with its size "
                  "(%u of them with too many fields for Unpack)\n", refused, taken, unpack_refused);
    assert_true(refused > 1000 && taken > 1000 && unpack_refused > 50);
    free(text);
}

static void test_utf16_matches_pythons_strict_codec(void **state)
{
    struct sr_encoding enc;
    unsigned int i, valid = 0, invalid = 0;
    (void)state;

    parse_enc("utf-16", &enc);
    for (i = 0; i < ARRAY_SIZE(vutf16); i++)
    {
        BSTR text = (BSTR)1;
        BYTE *bytes = (BYTE *)1;
        SIZE_T n = 1;
        HRESULT hr = text_decode(L"ReadString", iid, &enc, vutf16[i].bytes, vutf16[i].n, 0, &text);

        if (vutf16[i].valid)
        {
            if (hr != S_OK || SysStringLen(text) != vutf16[i].len
                || memcmp(text, vutf16[i].units, vutf16[i].len * sizeof(WCHAR)))
                fail_msg("case %u: %Iu bytes Python decodes: hr %#lx (%ls)", i, vutf16[i].n, hr, last_error());
            SysFreeString(text);
            /* and back: the same bytes */
            assert_int_equal(text_encode(L"WriteString", iid, &enc, vutf16[i].units, vutf16[i].len, 2, &bytes, &n), S_OK);
            assert_int_equal(n, vutf16[i].n);
            assert_memory_equal(bytes, vutf16[i].bytes, n);
            HeapFree(GetProcessHeap(), 0, bytes);
            valid++;
            continue;
        }
        if (hr != SR_E_BADENCODING || text)
            fail_msg("case %u: %Iu bytes Python refuses: hr %#lx", i, vutf16[i].n, hr);
        if (vutf16[i].n % 2 == 0)
        {
            /* An even count that Python refuses holds an unpaired surrogate: refused as text too. */
            hr = text_encode(L"WriteString", iid, &enc, vutf16[i].units, vutf16[i].len, 2, &bytes, &n);
            if (hr != SR_E_BADENCODING || bytes || n)
                fail_msg("case %u: the units of bytes Python refuses were encoded: hr %#lx", i, hr);
        }
        invalid++;
    }
    print_message("[ FIGURES  ] utf-16: %u cases Python decodes, %u it refuses; the same answer for each\n", valid,
                  invalid);
    assert_true(valid > 100 && invalid > 100);
}

static void test_utf16_refusals_name_the_reason(void **state)
{
    static const BYTE odd[] = { 'a', 0, 'b' }, lone[] = { 'a', 0, 0x00, 0xd8, 'b', 0 }, cut[] = { 0x3d, 0xd8 };
    struct sr_encoding enc;
    BSTR text = (BSTR)1;
    BYTE *bytes = (BYTE *)1;
    SIZE_T n = 1;
    (void)state;

    parse_enc("utf-16", &enc);
    assert_error(text_decode(L"ReadString", iid, &enc, odd, 3, 100, &text), SR_E_BADENCODING,
                 L"ReadString: the 3 bytes at offset 100 are not valid utf-16 (an odd number of bytes)");
    assert_null(text);
    assert_error(text_decode(L"ReadString", iid, &enc, lone, 6, 100, &text), SR_E_BADENCODING,
                 L"ReadString: the 6 bytes at offset 100 are not valid utf-16 (an unpaired surrogate U+D800 at offset 102)");
    assert_error(text_decode(L"ReadString", iid, &enc, cut, 2, 7, &text), SR_E_BADENCODING,
                 L"ReadString: the 2 bytes at offset 7 are not valid utf-16 (an unpaired surrogate U+D83D at offset 7)");
    assert_error(text_encode(L"WriteString", iid, &enc, L"ab\xdc00", 3, 2, &bytes, &n), SR_E_BADENCODING,
                 L"WriteString: the text has an unpaired surrogate (U+DC00 at position 2) and cannot be written as utf-16");
    assert_null(bytes);
    assert_int_equal(n, 0);
}

static void test_pack_truncates_text_at_a_character_boundary(void **state)
{
    static const struct
    {
        const char *encoding;
        const WCHAR *format, *text, *back;   /* what Unpack returns from what Pack wrote */
        BYTE bytes[8];
        unsigned int size;
    } cases[] =
    {
        { "utf-8", L"2s", L"a\x00e9", L"a", { 'a', 0 }, 2 },                     /* not a, C3 */
        { "utf-8", L"3s", L"a\x00e9", L"a\x00e9", { 'a', 0xc3, 0xa9 }, 3 },
        { "utf-8", L"4s", L"\x4e2d\x4e2d", L"\x4e2d", { 0xe4, 0xb8, 0xad, 0 }, 4 },
        { "utf-8", L"3s", L"\xd83d\xde00", L"", { 0, 0, 0 }, 3 },               /* 4 bytes: none fits */
        { "utf-8", L"5p", L"abc\x00e9", L"abc", { 3, 'a', 'b', 'c', 0 }, 5 },
        { "utf-16", L"3s", L"ab", L"a", { 'a', 0, 0 }, 3 },                      /* not a, b's first byte */
        { "utf-16", L"2s", L"\xd83d\xde00", L"", { 0, 0 }, 2 },                  /* not half a pair */
        { "utf-16", L"6s", L"a\xd83d\xde00z", L"a\xd83d\xde00", { 'a', 0, 0x3d, 0xd8, 0x00, 0xde }, 6 },
        { "utf-16", L"5p", L"a\xd83d\xde00", L"a", { 2, 'a', 0, 0, 0 }, 5 },
        { "cp932", L"3s", L"a\x65e5\x65e5", L"a\x65e5", { 'a', 0x93, 0xfa }, 3 },
        { "cp932", L"2s", L"a\x65e5", L"a", { 'a', 0 }, 2 },                     /* not a, lead byte 93 */
        { "utf-8", L"<2w", L"a\xd83d\xde00", L"a", { 'a', 0, 0, 0 }, 4 },        /* w: no half pair either */
    };
    unsigned int i;
    (void)state;

    for (i = 0; i < ARRAY_SIZE(cases); i++)
    {
        struct sr_encoding enc;
        struct sr_format *f;
        VARIANT in = bstr(cases[i].text), out, *vals;
        BYTE packed[9];

        parse_enc(cases[i].encoding, &enc);
        assert_int_equal(format_parse(L"Pack", iid, cases[i].format, &f), S_OK);
        assert_int_equal(format_size(f), cases[i].size);
        memset(packed, 0xee, sizeof(packed));
        if (format_pack(L"Pack", iid, f, &in, 1, &enc, packed) != S_OK)
            fail_msg("case %u: %ls", i, last_error());
        if (memcmp(packed, cases[i].bytes, cases[i].size))
            fail_msg("case %u (%s \"%ls\"): packed %02x %02x %02x %02x", i, cases[i].encoding, cases[i].format,
                     packed[0], packed[1], packed[2], packed[3]);
        assert_int_equal(packed[cases[i].size], 0xee);
        if (format_unpack(L"Unpack", iid, f, packed, &enc, &out) != S_OK)
            fail_msg("case %u (%s \"%ls\"): Unpack refused what Pack wrote: %ls", i, cases[i].encoding,
                     cases[i].format, last_error());
        SafeArrayAccessData(V_ARRAY(&out), (void **)&vals);
        assert_wstr_equal(V_BSTR(&vals[0]), cases[i].back);
        SafeArrayUnaccessData(V_ARRAY(&out));
        VariantClear(&out);
        VariantClear(&in);
        format_release(f);
    }
}

static void test_code_pages_that_cannot_be_checked_are_refused(void **state)
{
    static const UINT refused[] = { 65000, 42, 50220, 50221, 50222, 50225, 50227, 50229, 52936, 57002, 57011 };
    struct sr_encoding enc;
    unsigned int i;
    (void)state;

    for (i = 0; i < ARRAY_SIZE(refused); i++)
    {
        WCHAR name[16], msg[400];
        swprintf(name, ARRAY_SIZE(name), L"cp%u", refused[i]);
        swprintf(msg, ARRAY_SIZE(msg), L"ReadString: encoding '%ls': code page %u cannot be used: the system converts "
                 L"it without reporting invalid bytes, which would be read as text (UTF-7, ISO-2022, HZ, ISCII and "
                 L"Symbol code pages are refused)", name, refused[i]);
        assert_error(text_parse_encoding_name(L"ReadString", iid, name, &enc), E_INVALIDARG, msg);
    }
}

/* GB18030 (54936), where the system has it: strict on read (MB_ERR_INVALID_CHARS) and on write (an
 * unpaired surrogate is refused, WC_ERR_INVALID_CHARS), as every other code page. */
static void test_gb18030_is_strict_both_ways(void **state)
{
    static const BYTE bad[] = { 'a', 0x81, 0x30 }; /* a four-byte sequence cut after two */
    struct sr_encoding enc;
    BSTR text = NULL;
    BYTE *bytes = NULL;
    SIZE_T n = 0;
    (void)state;

    if (!IsValidCodePage(54936))
    {
        print_message("[  SKIP    ] code page 54936 (GB18030) is not installed on this system: its strictness "
                      "cannot be checked here\n");
        skip();
    }
    parse_enc("cp54936", &enc);
    assert_int_equal(text_encode(L"WriteString", iid, &enc, L"a\x4e2d\xd83d\xde00", 4, 1, &bytes, &n), S_OK);
    assert_int_equal(text_decode(L"ReadString", iid, &enc, bytes, n, 0, &text), S_OK);
    assert_wstr_equal(text, L"a\x4e2d\xd83d\xde00");
    SysFreeString(text);
    HeapFree(GetProcessHeap(), 0, bytes);
    assert_int_equal(text_encode(L"WriteString", iid, &enc, L"a\xd800", 2, 1, &bytes, &n), SR_E_BADENCODING);
    assert_int_equal(text_decode(L"ReadString", iid, &enc, bad, sizeof(bad), 0, &text), SR_E_BADENCODING);
}

/* ---- the cache ---- */

static DWORD WINAPI cache_worker(void *arg)
{
    WCHAR fmt[32];
    unsigned int i, bad = 0;
    (void)arg;
    for (i = 0; i < 3000; i++)
    {
        struct sr_format *f;
        unsigned int n = i % 40;
        swprintf(fmt, ARRAY_SIZE(fmt), L"<%uh", n);
        if (FAILED(format_parse(L"Unpack", iid, fmt, &f))) { bad++; continue; }
        if (format_size(f) != n * 2 || format_fields(f) != n) bad++;
        format_release(f);
    }
    return bad;
}

static void test_format_cache_is_shared_and_thread_safe(void **state)
{
    struct sr_format *a, *b;
    HANDLE threads[4];
    DWORD bad, i;
    (void)state;

    assert_int_equal(format_parse(L"Unpack", iid, L"<hhl", &a), S_OK);
    assert_int_equal(format_parse(L"Unpack", iid, L"<hhl", &b), S_OK);
    assert_ptr_equal(a, b); /* the same parsed format, from the cache */
    format_release(b);
    for (i = 0; i < ARRAY_SIZE(threads); i++) threads[i] = CreateThread(NULL, 0, cache_worker, NULL, 0, NULL);
    WaitForMultipleObjects(ARRAY_SIZE(threads), threads, TRUE, INFINITE);
    for (i = 0; i < ARRAY_SIZE(threads); i++)
    {
        GetExitCodeThread(threads[i], &bad);
        assert_int_equal(bad, 0);
        CloseHandle(threads[i]);
    }
    /* Evicted from the cache meanwhile, a format held by a caller stays valid. */
    assert_int_equal(format_size(a), 8);
    format_release(a);
    format_cache_free();
    assert_int_equal(format_parse(L"Unpack", iid, L"<hhl", &a), S_OK);
    assert_int_equal(format_size(a), 8);
    format_release(a);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_decode_gives_each_type_its_variant),
        cmocka_unit_test(test_integer_writes_take_the_extremes_and_refuse_one_past),
        cmocka_unit_test(test_int16_range_message),
        cmocka_unit_test(test_64bit_writes_are_exact),
        cmocka_unit_test(test_single_rounds_to_nearest_even),
        cmocka_unit_test(test_parse_type_names_codes_and_numbers),
        cmocka_unit_test(test_collect_every_kind_of_array),
        cmocka_unit_test(test_encodings_match_python),
        cmocka_unit_test(test_unencodable_character_is_an_error),
        cmocka_unit_test(test_invalid_bytes_are_an_error),
        cmocka_unit_test(test_encoding_names),
        cmocka_unit_test(test_utf8_keeps_its_messages),
        cmocka_unit_test(test_struct_vectors_from_python),
        cmocka_unit_test(test_struct_native_layouts),
        cmocka_unit_test(test_struct_bad_formats),
        cmocka_unit_test(test_struct_bad_values_write_nothing),
        cmocka_unit_test(test_struct_text_fields_use_the_encoding),
        cmocka_unit_test(test_format_cache_is_shared_and_thread_safe),
        cmocka_unit_test(test_struct_size_is_checked_after_the_padding),
        cmocka_unit_test(test_format_length_is_capped_before_anything_is_allocated),
        cmocka_unit_test(test_collect_refuses_more_elements_than_a_variant_array_holds),
        cmocka_unit_test(test_struct_sizes_near_the_limits_fuzz),
        cmocka_unit_test(test_utf16_matches_pythons_strict_codec),
        cmocka_unit_test(test_utf16_refusals_name_the_reason),
        cmocka_unit_test(test_pack_truncates_text_at_a_character_boundary),
        cmocka_unit_test(test_code_pages_that_cannot_be_checked_are_refused),
        cmocka_unit_test(test_gb18030_is_strict_both_ways),
        cmocka_unit_test(test_unpack_refuses_more_fields_than_a_variant_array_holds),
    };
    return cmocka_run_group_tests(tests, com_setup, com_teardown);
}
