/*
 * SharedRegion tests: the data members of every shape (ISharedData), on regions and views, through
 * the vtable and through IDispatch: typed values at their extremes and one past them, Decimal in
 * and out, float32 rounding, arrays, ReadInto, Pack/Unpack/CalcSize, encodings, odd offsets and the
 * sliding window's edge, VT_BYREF arguments, and the IDispatch fast path against plain
 * ITypeInfo_Invoke. A bad value always leaves the bytes as they were.
 */
#include <math.h>
#include "common.h"
#include "claimed_array.h"

#define SMALL 4096

/* The region and the view a test runs on: both expose the same ISharedData members. */
struct target
{
    ISharedRegion *region;
    ISharedView *view;       /* SMALL bytes at VIEW_AT */
    ISharedData *data[2];    /* [0] the region's, [1] the view's */
    double base[2];          /* where offset 0 of data[i] is in the region */
};
#define VIEW_AT 8192.0

static void target_open(struct target *t)
{
    HRESULT hr;
    t->region = create_region(L"", 4 * SMALL);
    hr = ISharedRegion_MapView(t->region, VIEW_AT, SMALL, missing(), &t->view);
    assert_int_equal(hr, S_OK);
    assert_int_equal(ISharedRegion_QueryInterface(t->region, &IID_ISharedData, (void **)&t->data[0]), S_OK);
    assert_int_equal(ISharedView_QueryInterface(t->view, &IID_ISharedData, (void **)&t->data[1]), S_OK);
    t->base[0] = 0;
    t->base[1] = VIEW_AT;
}

static void target_close(struct target *t)
{
    ISharedData_Release(t->data[0]);
    ISharedData_Release(t->data[1]);
    ISharedView_Release(t->view);
    ISharedRegion_Release(t->region);
}

/* The n bytes at offset of the region, into out. */
static void region_bytes(ISharedRegion *r, double offset, BYTE *out, ULONG n)
{
    VARIANT v;
    void *p;
    assert_int_equal(ISharedRegion_ReadBytes(r, offset, n, &v), S_OK);
    SafeArrayAccessData(V_ARRAY(&v), &p);
    memcpy(out, p, n);
    SafeArrayUnaccessData(V_ARRAY(&v));
    VariantClear(&v);
}

static void expect_region_bytes(ISharedRegion *r, double offset, const BYTE *bytes, ULONG n, int line)
{
    BYTE got[64];
    ULONG i;
    assert_true(n <= sizeof(got));
    region_bytes(r, offset, got, n);
    for (i = 0; i < n; i++)
        if (got[i] != bytes[i])
            fail_msg("line %d: byte %lu at offset %.0f is %#x, expected %#x", line, i, offset, got[i], bytes[i]);
}
#define EXPECT_BYTES(r, off, line, ...) do { \
        static const BYTE b_[] = { __VA_ARGS__ }; expect_region_bytes(r, off, b_, sizeof(b_), line); } while (0)

static VARIANT vi4(LONG l)
{
    VARIANT v;
    V_VT(&v) = VT_I4;
    V_I4(&v) = l;
    return v;
}

static VARIANT vi8(LONGLONG l)
{
    VARIANT v;
    V_VT(&v) = VT_I8;
    V_I8(&v) = l;
    return v;
}

static VARIANT vui8(ULONGLONG l)
{
    VARIANT v;
    V_VT(&v) = VT_UI8;
    V_UI8(&v) = l;
    return v;
}

/* A Decimal from its digits. */
static VARIANT vdec(const WCHAR *digits)
{
    VARIANT v;
    VariantInit(&v);
    assert_int_equal(VarDecFromStr((OLECHAR *)digits, LOCALE_INVARIANT, 0, &V_DECIMAL(&v)), S_OK);
    V_VT(&v) = VT_DECIMAL;
    return v;
}

static VARIANT vref(VARIANT *target)
{
    VARIANT v;
    V_VT(&v) = VT_BYREF | VT_VARIANT;
    V_VARIANTREF(&v) = target;
    return v;
}

/* A read result as exact text: VT_R8 as "%.17g", VT_DECIMAL by its digits; and its type. */
static void assert_number(const VARIANT *v, VARTYPE vt, const WCHAR *text, int line)
{
    WCHAR buf[64];
    if (V_VT(v) != vt) fail_msg("line %d: vt %#x, expected %#x", line, V_VT(v), vt);
    if (vt == VT_DECIMAL)
    {
        BSTR b = NULL;
        assert_int_equal(VarBstrFromDec((DECIMAL *)&V_DECIMAL(v), LOCALE_INVARIANT, 0, &b), S_OK);
        lstrcpynW(buf, b, ARRAY_SIZE(buf));
        SysFreeString(b);
    }
    else if (vt == VT_R8) swprintf(buf, ARRAY_SIZE(buf), L"%.17g", V_R8(v));
    else if (vt == VT_I2) swprintf(buf, ARRAY_SIZE(buf), L"%d", V_I2(v));
    else if (vt == VT_I4) swprintf(buf, ARRAY_SIZE(buf), L"%ld", V_I4(v));
    else if (vt == VT_UI1) swprintf(buf, ARRAY_SIZE(buf), L"%u", V_UI1(v));
    else fail_msg("line %d: unexpected vt %#x", line, vt);
    if (wcscmp(buf, text)) fail_msg("line %d: value %ls, expected %ls", line, buf, text);
}
#define ASSERT_NUMBER(v, vt, text) assert_number(v, vt, text, __LINE__)

/* The description of the last error must be exactly this. */
/* assert_error read (and so cleared) the error information into last_description. */
#define ASSERT_DESCRIPTION(text) assert_wstr_equal(last_description, text)

/* ---- typed values: extremes, one past them, and what a refused value leaves ---- */

static void test_typed_extremes_round_trip_on_regions_and_views(void **state)
{
    struct target t;
    int i;

    target_open(&t);
    for (i = 0; i < 2; i++)
    {
        ISharedData *d = t.data[i];
        double b = t.base[i];
        SHORT s;
        LONG l;
        double x;
        VARIANT v;

        /* Int8 at an odd offset. */
        assert_int_equal(ISharedData_WriteInt8(d, 1, -128), S_OK);
        assert_int_equal(ISharedData_WriteInt8(d, 2, 127), S_OK);
        EXPECT_BYTES(t.region, b + 1, __LINE__, 0x80, 0x7f);
        assert_int_equal(ISharedData_ReadInt8(d, 1, &s), S_OK);
        assert_int_equal(s, -128);
        assert_int_equal(ISharedData_ReadInt8(d, 2, &s), S_OK);
        assert_int_equal(s, 127);
        assert_error(ISharedData_WriteInt8(d, 1, 128), E_INVALIDARG, L"WriteInt8");
        assert_error(ISharedData_WriteInt8(d, 1, -129), E_INVALIDARG, L"WriteInt8");
        EXPECT_BYTES(t.region, b + 1, __LINE__, 0x80, 0x7f);

        /* Int16 and UInt16 at odd offsets. */
        assert_int_equal(ISharedData_WriteInt16(d, 3, -32768), S_OK);
        assert_int_equal(ISharedData_WriteInt16(d, 5, 32767), S_OK);
        EXPECT_BYTES(t.region, b + 3, __LINE__, 0x00, 0x80, 0xff, 0x7f);
        assert_int_equal(ISharedData_ReadInt16(d, 3, &s), S_OK);
        assert_int_equal(s, -32768);
        assert_int_equal(ISharedData_ReadInt16(d, 5, &s), S_OK);
        assert_int_equal(s, 32767);
        assert_error(ISharedData_WriteInt16(d, 3, 32768), E_INVALIDARG, L"WriteInt16");
        assert_error(ISharedData_WriteInt16(d, 3, -32769), E_INVALIDARG, L"WriteInt16");
        assert_error(ISharedData_WriteInt16(d, 3, 1.5), E_INVALIDARG, L"WriteInt16");
        EXPECT_BYTES(t.region, b + 3, __LINE__, 0x00, 0x80, 0xff, 0x7f);
        assert_int_equal(ISharedData_WriteUInt16(d, 7, 65535), S_OK);
        assert_int_equal(ISharedData_ReadUInt16(d, 7, &l), S_OK);
        assert_int_equal(l, 65535);
        assert_int_equal(ISharedData_WriteUInt16(d, 7, 0), S_OK);
        assert_int_equal(ISharedData_ReadUInt16(d, 7, &l), S_OK);
        assert_int_equal(l, 0);
        assert_error(ISharedData_WriteUInt16(d, 7, 65536), E_INVALIDARG, L"WriteUInt16");
        assert_error(ISharedData_WriteUInt16(d, 7, -1), E_INVALIDARG, L"WriteUInt16");
        EXPECT_BYTES(t.region, b + 7, __LINE__, 0x00, 0x00);

        /* UInt32: above 2^31, carried as a double. */
        assert_int_equal(ISharedData_WriteUInt32(d, 9, 4294967295.0), S_OK);
        EXPECT_BYTES(t.region, b + 9, __LINE__, 0xff, 0xff, 0xff, 0xff);
        assert_int_equal(ISharedData_ReadUInt32(d, 9, &x), S_OK);
        assert_true(x == 4294967295.0);
        assert_int_equal(ISharedData_WriteUInt32(d, 9, 3000000000.0), S_OK);
        assert_int_equal(ISharedData_ReadUInt32(d, 9, &x), S_OK);
        assert_true(x == 3000000000.0);
        assert_error(ISharedData_WriteUInt32(d, 9, 4294967296.0), E_INVALIDARG, L"WriteUInt32");
        assert_error(ISharedData_WriteUInt32(d, 9, -1), E_INVALIDARG, L"WriteUInt32");
        assert_int_equal(ISharedData_ReadUInt32(d, 9, &x), S_OK);
        assert_true(x == 3000000000.0);

        /* Int64: -2^63 and 2^63-1 exactly, as Decimals; one past each is refused. */
        assert_int_equal(ISharedData_WriteInt64(d, 13, vdec(L"-9223372036854775808")), S_OK);
        EXPECT_BYTES(t.region, b + 13, __LINE__, 0, 0, 0, 0, 0, 0, 0, 0x80);
        assert_int_equal(ISharedData_ReadInt64(d, 13, &v), S_OK);
        ASSERT_NUMBER(&v, VT_DECIMAL, L"-9223372036854775808");
        assert_int_equal(ISharedData_WriteInt64(d, 13, vdec(L"9223372036854775807")), S_OK);
        assert_int_equal(ISharedData_ReadInt64(d, 13, &v), S_OK);
        ASSERT_NUMBER(&v, VT_DECIMAL, L"9223372036854775807");
        assert_error(ISharedData_WriteInt64(d, 13, vdec(L"9223372036854775808")), E_INVALIDARG, L"WriteInt64");
        assert_error(ISharedData_WriteInt64(d, 13, vstr(L"-9223372036854775809")), E_INVALIDARG, L"WriteInt64");
        EXPECT_BYTES(t.region, b + 13, __LINE__, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);

        /* UInt64: 2^64-1 and 0; -1 and 2^64 are refused. */
        assert_int_equal(ISharedData_WriteUInt64(d, 21, vstr(L"18446744073709551615")), S_OK);
        EXPECT_BYTES(t.region, b + 21, __LINE__, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
        assert_int_equal(ISharedData_ReadUInt64(d, 21, &v), S_OK);
        ASSERT_NUMBER(&v, VT_DECIMAL, L"18446744073709551615");
        assert_error(ISharedData_WriteUInt64(d, 21, vstr(L"18446744073709551616")), E_INVALIDARG, L"WriteUInt64");
        assert_error(ISharedData_WriteUInt64(d, 21, vnum(-1)), E_INVALIDARG, L"WriteUInt64");
        EXPECT_BYTES(t.region, b + 21, __LINE__, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
        assert_int_equal(ISharedData_WriteUInt64(d, 21, vnum(0)), S_OK);
        assert_int_equal(ISharedData_ReadUInt64(d, 21, &v), S_OK);
        ASSERT_NUMBER(&v, VT_R8, L"0");
    }
    target_close(&t);
}

static void test_range_errors_name_the_method_the_value_and_the_range(void **state)
{
    ISharedRegion *r = create_region(L"", SMALL);

    assert_error(ISharedRegion_WriteInt8(r, 0, 128), E_INVALIDARG, L"WriteInt8");
    ASSERT_DESCRIPTION(L"WriteInt8: value 128 is out of range; Int8 takes -128 to 127");
    assert_error(ISharedRegion_WriteUInt16(r, 0, -1), E_INVALIDARG, L"WriteUInt16");
    ASSERT_DESCRIPTION(L"WriteUInt16: value -1 is out of range; UInt16 takes 0 to 65535");
    assert_error(ISharedRegion_WriteUInt32(r, 0, 4294967296.0), E_INVALIDARG, L"WriteUInt32");
    ASSERT_DESCRIPTION(L"WriteUInt32: value 4294967296 is out of range; UInt32 takes 0 to 4294967295");
    assert_error(ISharedRegion_WriteUInt64(r, 0, vstr(L"18446744073709551616")), E_INVALIDARG, L"WriteUInt64");
    ASSERT_DESCRIPTION(L"WriteUInt64: value 18446744073709551616 is out of range; UInt64 takes 0 to 18446744073709551615");
    assert_error(ISharedRegion_WriteSingle(r, 0, 3.5e38), E_INVALIDARG, L"WriteSingle");
    ISharedRegion_Release(r);
}

/* ---- 64-bit values: a Double when exact, else an exact Decimal; every way in ---- */

static void test_int64_decimal_in_and_out(void **state)
{
    ISharedRegion *r = create_region(L"", SMALL);
    VARIANT v, inner;

    /* 2^53 is a Double; 2^53 + 1 is not representable, so it comes back as a Decimal. */
    assert_int_equal(ISharedRegion_WriteInt64(r, 0, vnum(9007199254740992.0)), S_OK);
    assert_int_equal(ISharedRegion_ReadInt64(r, 0, &v), S_OK);
    ASSERT_NUMBER(&v, VT_R8, L"9007199254740992");
    assert_int_equal(ISharedRegion_WriteInt64(r, 0, vdec(L"9007199254740993")), S_OK);
    EXPECT_BYTES(r, 0, __LINE__, 0x01, 0, 0, 0, 0, 0, 0x20, 0);
    assert_int_equal(ISharedRegion_ReadInt64(r, 0, &v), S_OK);
    ASSERT_NUMBER(&v, VT_DECIMAL, L"9007199254740993");
    assert_int_equal(ISharedRegion_WriteInt64(r, 0, vdec(L"-9007199254740993")), S_OK);
    assert_int_equal(ISharedRegion_ReadInt64(r, 0, &v), S_OK);
    ASSERT_NUMBER(&v, VT_DECIMAL, L"-9007199254740993");

    /* VT_I8 and VT_UI8 (PowerShell's [long] and [ulong]), digit strings, and one level of VT_BYREF. */
    assert_int_equal(ISharedRegion_WriteInt64(r, 8, vi8(-2)), S_OK);
    EXPECT_BYTES(r, 8, __LINE__, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    assert_int_equal(ISharedRegion_ReadInt64(r, 8, &v), S_OK);
    ASSERT_NUMBER(&v, VT_R8, L"-2");
    assert_int_equal(ISharedRegion_ReadUInt64(r, 8, &v), S_OK);
    ASSERT_NUMBER(&v, VT_DECIMAL, L"18446744073709551614");
    assert_int_equal(ISharedRegion_WriteUInt64(r, 8, vui8(0xffffffffffffffffULL)), S_OK);
    assert_int_equal(ISharedRegion_ReadUInt64(r, 8, &v), S_OK);
    ASSERT_NUMBER(&v, VT_DECIMAL, L"18446744073709551615");
    inner = vdec(L"9223372036854775807");
    assert_int_equal(ISharedRegion_WriteInt64(r, 8, vref(&inner)), S_OK);
    assert_int_equal(ISharedRegion_ReadInt64(r, 8, &v), S_OK);
    ASSERT_NUMBER(&v, VT_DECIMAL, L"9223372036854775807");
    inner = vstr(L"-42");
    assert_int_equal(ISharedRegion_WriteInt64(r, 8, vref(&inner)), S_OK);
    assert_int_equal(ISharedRegion_ReadInt64(r, 8, &v), S_OK);
    ASSERT_NUMBER(&v, VT_R8, L"-42");

    /* A Double beyond 2^53 stands for a whole number, and that number is written. */
    assert_int_equal(ISharedRegion_WriteUInt64(r, 16, vnum(18446744073709549568.0)), S_OK);
    assert_int_equal(ISharedRegion_ReadUInt64(r, 16, &v), S_OK);
    ASSERT_NUMBER(&v, VT_DECIMAL, L"18446744073709549568");
    /* Not whole, not a number: refused, bytes unchanged. */
    assert_error(ISharedRegion_WriteInt64(r, 16, vstr(L"12x")), DISP_E_TYPEMISMATCH, L"WriteInt64");
    assert_error(ISharedRegion_WriteInt64(r, 16, vnum(0.5)), E_INVALIDARG, L"WriteInt64");
    assert_error(ISharedRegion_WriteInt64(r, 16, vdec(L"1.5")), E_INVALIDARG, L"WriteInt64");
    assert_int_equal(ISharedRegion_ReadUInt64(r, 16, &v), S_OK);
    ASSERT_NUMBER(&v, VT_DECIMAL, L"18446744073709549568");
    ISharedRegion_Release(r);
}

/* ---- float32 ---- */

static void test_single_rounds_to_even_and_keeps_nan_and_infinity(void **state)
{
    ISharedRegion *r = create_region(L"", SMALL);
    double x;
    BYTE b[4];
    float f;

    /* 1 + 2^-24 is halfway between 1 and the next float: ties go to the even one, 1. */
    assert_int_equal(ISharedRegion_WriteSingle(r, 1, 1.0 + ldexp(1, -24)), S_OK);
    EXPECT_BYTES(r, 1, __LINE__, 0x00, 0x00, 0x80, 0x3f);
    /* 1 + 3 * 2^-24 is halfway between 1 + 2^-23 (odd) and 1 + 2^-22 (even): the even one. */
    assert_int_equal(ISharedRegion_WriteSingle(r, 1, 1.0 + 3 * ldexp(1, -24)), S_OK);
    EXPECT_BYTES(r, 1, __LINE__, 0x02, 0x00, 0x80, 0x3f);
    assert_int_equal(ISharedRegion_ReadSingle(r, 1, &x), S_OK);
    assert_true(x == 1.0 + ldexp(1, -22));
    /* 0.1 is widened exactly: the float nearest 0.1, not 0.1. */
    assert_int_equal(ISharedRegion_WriteSingle(r, 1, 0.1), S_OK);
    assert_int_equal(ISharedRegion_ReadSingle(r, 1, &x), S_OK);
    assert_true(x == (double)0.1f);
    /* The largest float32, and a finite value beyond it. */
    assert_int_equal(ISharedRegion_WriteSingle(r, 1, 3.4028234663852886e38), S_OK);
    EXPECT_BYTES(r, 1, __LINE__, 0xff, 0xff, 0x7f, 0x7f);
    assert_error(ISharedRegion_WriteSingle(r, 1, 3.5e38), E_INVALIDARG, L"WriteSingle");
    assert_error(ISharedRegion_WriteSingle(r, 1, -1e39), E_INVALIDARG, L"WriteSingle");
    EXPECT_BYTES(r, 1, __LINE__, 0xff, 0xff, 0x7f, 0x7f);
    /* Infinities and NaN are stored as such. */
    assert_int_equal(ISharedRegion_WriteSingle(r, 1, -INFINITY), S_OK);
    EXPECT_BYTES(r, 1, __LINE__, 0x00, 0x00, 0x80, 0xff);
    assert_int_equal(ISharedRegion_ReadSingle(r, 1, &x), S_OK);
    assert_true(isinf(x) && x < 0);
    assert_int_equal(ISharedRegion_WriteSingle(r, 1, NAN), S_OK);
    region_bytes(r, 1, b, 4);
    memcpy(&f, b, 4);
    assert_true(isnan(f));
    assert_int_equal(ISharedRegion_ReadSingle(r, 1, &x), S_OK);
    assert_true(isnan(x));
    ISharedRegion_Release(r);
}

/* ---- arrays ---- */

static void test_read_array_returns_a_zero_based_variant_array(void **state)
{
    static const BYTE le[] = { 0x01, 0x80, 0xff, 0x7f, 0x00, 0x00, 0x80, 0x3f };
    ISharedRegion *r = create_region(L"", SMALL);
    VARIANT v, *items;
    LONG lo, hi;

    write_bytes(r, 3, le, sizeof(le));
    /* Int16 by name, at an odd offset: 0x8001, 0x7fff, 0, 0x3f80. */
    assert_int_equal(ISharedRegion_ReadArray(r, 3, 4, vstr(L"Int16"), &v), S_OK);
    assert_int_equal(V_VT(&v), VT_ARRAY | VT_VARIANT);
    assert_int_equal(SafeArrayGetDim(V_ARRAY(&v)), 1);
    SafeArrayGetLBound(V_ARRAY(&v), 1, &lo);
    SafeArrayGetUBound(V_ARRAY(&v), 1, &hi);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 3);
    SafeArrayAccessData(V_ARRAY(&v), (void **)&items);
    ASSERT_NUMBER(&items[0], VT_I2, L"-32767");
    ASSERT_NUMBER(&items[1], VT_I2, L"32767");
    ASSERT_NUMBER(&items[2], VT_I2, L"0");
    ASSERT_NUMBER(&items[3], VT_I2, L"16256");
    SafeArrayUnaccessData(V_ARRAY(&v));
    VariantClear(&v);
    /* By struct code and by DataType number. */
    assert_int_equal(ISharedRegion_ReadArray(r, 7, 1, vstr(L"f"), &v), S_OK);
    SafeArrayAccessData(V_ARRAY(&v), (void **)&items);
    ASSERT_NUMBER(&items[0], VT_R8, L"1");
    SafeArrayUnaccessData(V_ARRAY(&v));
    VariantClear(&v);
    assert_int_equal(ISharedRegion_ReadArray(r, 3, 2, vi4(DataUInt16), &v), S_OK);
    SafeArrayAccessData(V_ARRAY(&v), (void **)&items);
    ASSERT_NUMBER(&items[0], VT_I4, L"32769");
    ASSERT_NUMBER(&items[1], VT_I4, L"32767");
    SafeArrayUnaccessData(V_ARRAY(&v));
    VariantClear(&v);
    /* Zero elements: an empty array; past the end and bad types: refused. */
    assert_int_equal(ISharedRegion_ReadArray(r, 0, 0, vstr(L"Double"), &v), S_OK);
    SafeArrayGetUBound(V_ARRAY(&v), 1, &hi);
    assert_int_equal(hi, -1);
    VariantClear(&v);
    assert_error(ISharedRegion_ReadArray(r, SMALL - 4, 2, vstr(L"Single"), &v), E_INVALIDARG, L"ReadArray");
    ASSERT_DESCRIPTION(L"ReadArray: offset 4092 + count 8 is past the end of the region (4096 bytes)");
    assert_error(ISharedRegion_ReadArray(r, 0, 1, vstr(L"Int128"), &v), E_INVALIDARG, L"ReadArray");
    assert_error(ISharedRegion_ReadArray(r, 0, 1, vi4(10), &v), E_INVALIDARG, L"ReadArray");
    assert_error(ISharedRegion_ReadArray(r, 0, 1, missing(), &v), E_INVALIDARG, L"ReadArray");
    ISharedRegion_Release(r);
}

static VARIANT variant_array(int n, const VARIANT *values)
{
    VARIANT v, *items;
    int i;
    V_VT(&v) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(&v) = SafeArrayCreateVector(VT_VARIANT, 0, n);
    SafeArrayAccessData(V_ARRAY(&v), (void **)&items);
    for (i = 0; i < n; i++) items[i] = values[i];
    SafeArrayUnaccessData(V_ARRAY(&v));
    return v;
}

/* A DataType number is the element's VARTYPE, so VB's own constants mean what they say; the common
 * spellings work in any case; access takes the RegionAccess names. Before, 4 (vbSingle) read Int32
 * and 5 (vbDouble) UInt32. */
static void test_datatype_numbers_are_vartypes_and_names_are_accepted(void **state)
{
    static const struct { int number; const WCHAR *name; ULONG size; } kinds[] =
    {
        { VT_I1, L"int8", 1 }, { VT_UI1, L"UINT8", 1 }, { VT_I2, L"Int16", 2 }, { VT_UI2, L"uint16", 2 },
        { VT_I4, L"INT32", 4 }, { VT_UI4, L"uint32", 4 }, { VT_I8, L"int64", 8 }, { VT_UI8, L"UInt64", 8 },
        { VT_R4, L"float32", 4 }, { VT_R8, L"Float64", 8 },
    };
    /* 1.5f at 0, the double 1.5 at 8 */
    static const BYTE le[16] = { 0x00, 0x00, 0xc0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f };
    ISharedRegion *r = create_region(L"", SMALL), *o;
    const WCHAR *name = unique_name(L"accessnames");
    ISharedView *view;
    VARIANT by_number, by_name, *a, *b, acc;
    DWORD access;
    BSTR bname;
    unsigned int i;
    LONG n;

    (void)state;
    write_bytes(r, 0, le, sizeof(le));
    for (i = 0; i < ARRAY_SIZE(kinds); i++)
    {
        assert_int_equal(ISharedRegion_ReadArray(r, 0, 8 / kinds[i].size, vi4(kinds[i].number), &by_number), S_OK);
        assert_int_equal(disp_call(r, L"ReadArray", DISPATCH_METHOD, &by_name, 3, vnum(0), vnum(8 / kinds[i].size),
                                   vstr(kinds[i].name)), S_OK);
        SafeArrayAccessData(V_ARRAY(&by_number), (void **)&a);
        SafeArrayAccessData(V_ARRAY(&by_name), (void **)&b);
        assert_int_equal(V_VT(&a[0]), V_VT(&b[0]));
        assert_int_equal(VarCmp(&a[0], &b[0], LOCALE_USER_DEFAULT, 0), VARCMP_EQ);
        SafeArrayUnaccessData(V_ARRAY(&by_number));
        SafeArrayUnaccessData(V_ARRAY(&by_name));
        VariantClear(&by_number);
        VariantClear(&by_name);
    }
    /* vbSingle and vbDouble, numbers a script passes without a second thought. */
    assert_int_equal(ISharedRegion_ReadArray(r, 0, 1, vi4(4), &by_number), S_OK);
    SafeArrayAccessData(V_ARRAY(&by_number), (void **)&a);
    ASSERT_NUMBER(&a[0], VT_R8, L"1.5");
    SafeArrayUnaccessData(V_ARRAY(&by_number));
    VariantClear(&by_number);
    assert_int_equal(ISharedRegion_ReadArray(r, 8, 1, vi4(5), &by_number), S_OK);
    SafeArrayAccessData(V_ARRAY(&by_number), (void **)&a);
    ASSERT_NUMBER(&a[0], VT_R8, L"1.5");
    SafeArrayUnaccessData(V_ARRAY(&by_number));
    VariantClear(&by_number);
    assert_int_equal(ISharedRegion_WriteArray(r, 16, vnum(1.5), vi4(VT_R8), &n), DISP_E_TYPEMISMATCH);
    /* The old numbers that are no VARTYPE of an element type are refused, naming every spelling. */
    assert_error(ISharedRegion_ReadArray(r, 0, 1, vi4(8), &by_number), E_INVALIDARG, L"ReadArray");
    assert_true(wcsstr(last_description, L"type 8 is not a DataType number; the type is one of Int8") != NULL);
    assert_true(wcsstr(last_description, L"float32, float64 (any case)") != NULL);

    /* Access by name, any case, in Open and MapView. */
    ISharedRegion_Release(r);
    r = create_region(name, SMALL);
    o = new_region();
    bname = SysAllocString(name);
    assert_int_equal(ISharedRegion_Open(o, bname, vstr(L"readonly")), S_OK);
    SysFreeString(bname);
    assert_int_equal(ISharedRegion_get_Access(o, (RegionAccess *)&access), S_OK);
    assert_int_equal(access, RegionReadOnly);
    assert_int_equal(ISharedRegion_MapView(r, 0, 16, vstr(L"CopyOnWrite"), &view), S_OK);
    assert_int_equal(ISharedView_get_Access(view, (RegionAccess *)&access), S_OK);
    assert_int_equal(access, RegionCopyOnWrite);
    ISharedView_Release(view);
    acc = vstr(L"Write");
    assert_error(ISharedRegion_MapView(r, 0, 16, acc, &view), E_INVALIDARG, L"MapView");
    assert_wstr_equal(last_description, L"MapView: access \"Write\" is not ReadWrite, ReadOnly or CopyOnWrite (or 0, 1, 2)");
    ISharedRegion_Release(o);
    ISharedRegion_Release(r);
}

static void test_write_array_from_variant_and_typed_arrays_writes_all_or_nothing(void **state)
{
    ISharedRegion *r = create_region(L"", SMALL);
    VARIANT vals[3], arr, single;
    float *fp;
    LONG n;

    vals[0] = vnum(-1);
    vals[1] = vi4(2);
    vals[2] = vstr(L"300");
    arr = variant_array(3, vals);
    assert_int_equal(ISharedRegion_WriteArray(r, 5, arr, vstr(L"h"), &n), S_OK);
    assert_int_equal(n, 3);
    EXPECT_BYTES(r, 5, __LINE__, 0xff, 0xff, 0x02, 0x00, 0x2c, 0x01);
    /* One bad element (300 is not an Int8): nothing is written, and the message names it. */
    assert_error(ISharedRegion_WriteArray(r, 5, arr, vstr(L"Int8"), &n), E_INVALIDARG, L"WriteArray");
    ASSERT_DESCRIPTION(L"WriteArray: element 2: value 300 is out of range; Int8 takes -128 to 127");
    assert_int_equal(n, 0);
    EXPECT_BYTES(r, 5, __LINE__, 0xff, 0xff, 0x02, 0x00, 0x2c, 0x01);
    VariantClear(&arr);

    /* A typed Single() array, written as float32 and as doubles. */
    V_VT(&single) = VT_ARRAY | VT_R4;
    V_ARRAY(&single) = SafeArrayCreateVector(VT_R4, 0, 2);
    SafeArrayAccessData(V_ARRAY(&single), (void **)&fp);
    fp[0] = 1.0f;
    fp[1] = -2.5f;
    SafeArrayUnaccessData(V_ARRAY(&single));
    assert_int_equal(ISharedRegion_WriteArray(r, 16, single, vi4(DataSingle), &n), S_OK);
    assert_int_equal(n, 2);
    EXPECT_BYTES(r, 16, __LINE__, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0);
    assert_int_equal(ISharedRegion_WriteArray(r, 16, single, vstr(L"d"), &n), S_OK);
    EXPECT_BYTES(r, 16, __LINE__, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0x04, 0xc0);
    /* Past the end: refused before anything moves. */
    assert_error(ISharedRegion_WriteArray(r, SMALL - 4, single, vstr(L"d"), &n), E_INVALIDARG, L"WriteArray");
    VariantClear(&single);
    /* Not an array. */
    assert_error(ISharedRegion_WriteArray(r, 0, vnum(1), vstr(L"d"), &n), DISP_E_TYPEMISMATCH, L"WriteArray");
    ISharedRegion_Release(r);
}

/* ---- ReadInto: the caller's own Byte(), filled in place ---- */

static void test_read_into_fills_the_callers_array_in_place(void **state)
{
    static const BYTE data[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    ISharedRegion *r = create_region(L"", SMALL);
    SAFEARRAY *sa = SafeArrayCreateVector(VT_UI1, 0, 8);
    VARIANT byref, holder, byval;
    BYTE *p, *before;
    LONG n;

    write_bytes(r, 101, data, sizeof(data));
    SafeArrayAccessData(sa, (void **)&before);
    SafeArrayUnaccessData(sa);
    /* VBA's by-reference Byte(): VT_BYREF|VT_ARRAY|VT_UI1. */
    V_VT(&byref) = VT_BYREF | VT_ARRAY | VT_UI1;
    V_ARRAYREF(&byref) = &sa;
    assert_int_equal(ISharedRegion_ReadInto(r, 101, byref, &n), S_OK);
    assert_int_equal(n, 8);
    SafeArrayAccessData(sa, (void **)&p);
    assert_ptr_equal(p, before); /* the same memory: nothing was allocated */
    assert_memory_equal(p, data, 8);
    SafeArrayUnaccessData(sa);
    /* VBScript's variable: VT_BYREF|VT_VARIANT holding a Byte(). */
    V_VT(&holder) = VT_ARRAY | VT_UI1;
    V_ARRAY(&holder) = sa;
    assert_int_equal(ISharedRegion_ReadInto(r, 102, vref(&holder), &n), S_OK);
    assert_int_equal(n, 8);
    SafeArrayAccessData(sa, (void **)&p);
    assert_memory_equal(p, data + 1, 8);
    SafeArrayUnaccessData(sa);
    /* From C by value: the same SAFEARRAY. */
    V_VT(&byval) = VT_ARRAY | VT_UI1;
    V_ARRAY(&byval) = sa;
    assert_int_equal(ISharedRegion_ReadInto(r, 100, byval, &n), S_OK);
    SafeArrayAccessData(sa, (void **)&p);
    assert_int_equal(p[0], 0);
    assert_memory_equal(p + 1, data, 7);
    SafeArrayUnaccessData(sa);
    /* Past the end: refused, the buffer untouched. */
    assert_error(ISharedRegion_ReadInto(r, SMALL - 4, byref, &n), E_INVALIDARG, L"ReadInto");
    ASSERT_DESCRIPTION(L"ReadInto: offset 4092 + count 8 is past the end of the region (4096 bytes)");
    assert_int_equal(n, 0);
    SafeArrayAccessData(sa, (void **)&p);
    assert_int_equal(p[0], 0);
    SafeArrayUnaccessData(sa);
    /* Not a Byte(), a NULL reference, a reference to a reference. */
    assert_error(ISharedRegion_ReadInto(r, 0, vnum(1), &n), DISP_E_TYPEMISMATCH, L"ReadInto");
    ASSERT_DESCRIPTION(L"ReadInto: buffer must be a Byte() array, not a Number");
    assert_error(ISharedRegion_ReadInto(r, 0, vref(NULL), &n), E_INVALIDARG, L"ReadInto");
    {
        VARIANT loop;
        loop = vref(&loop); /* refers to itself */
        assert_error(ISharedRegion_ReadInto(r, 0, loop, &n), E_INVALIDARG, L"ReadInto");
    }
    SafeArrayDestroy(sa);
    ISharedRegion_Release(r);
}

/* ---- Pack, Unpack, CalcSize ---- */

static void test_pack_unpack_and_calcsize(void **state)
{
    /* '<bhIqf3s2w?': 1 + 2 + 4 + 8 + 4 + 3 + 4 + 1 = 27 bytes, no padding ('<'). */
    static const BYTE frame[27] = {
        0xfe,                                     /* b -2 */
        0x34, 0x12,                               /* h 0x1234 */
        0x00, 0x5e, 0xd0, 0xb2,                   /* I 3000000000 */
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, /* q 2^53 + 1 */
        0x00, 0x00, 0xc0, 0x3f,                   /* f 1.5 */
        'a', 'b', 0,                              /* 3s "ab" */
        'h', 0, 'i', 0,                           /* 2w "hi" */
        0x01,                                     /* ? True */
    };
    ISharedRegion *r = create_region(L"", SMALL), *closed = new_region();
    BSTR fmt = SysAllocString(L"<bhIqf3s2w?");
    VARIANT vals[8], arr, out, *items;
    LONG n, hi;

    assert_int_equal(ISharedRegion_CalcSize(r, fmt, &n), S_OK);
    assert_int_equal(n, 27);
    assert_int_equal(ISharedRegion_CalcSize(closed, fmt, &n), S_OK); /* works on a closed object */
    assert_int_equal(n, 27);

    vals[0] = vnum(-2);
    vals[1] = vi4(0x1234);
    vals[2] = vnum(3000000000.0);
    vals[3] = vdec(L"9007199254740993");
    vals[4] = vnum(1.5);
    vals[5] = vstr(L"ab");
    vals[6] = vstr(L"hi");
    vals[7] = vbool(TRUE);
    arr = variant_array(8, vals);
    assert_int_equal(ISharedRegion_Pack(r, 1, fmt, arr, missing(), &n), S_OK);
    assert_int_equal(n, 27);
    {
        BYTE got[27];
        region_bytes(r, 1, got, 27);
        assert_memory_equal(got, frame, 27);
    }
    assert_int_equal(ISharedRegion_Unpack(r, 1, fmt, missing(), &out), S_OK);
    assert_int_equal(V_VT(&out), VT_ARRAY | VT_VARIANT);
    SafeArrayGetUBound(V_ARRAY(&out), 1, &hi);
    assert_int_equal(hi, 7);
    SafeArrayAccessData(V_ARRAY(&out), (void **)&items);
    ASSERT_NUMBER(&items[0], VT_I2, L"-2");
    ASSERT_NUMBER(&items[1], VT_I2, L"4660");
    ASSERT_NUMBER(&items[2], VT_R8, L"3000000000");
    ASSERT_NUMBER(&items[3], VT_DECIMAL, L"9007199254740993");
    ASSERT_NUMBER(&items[4], VT_R8, L"1.5");
    assert_int_equal(V_VT(&items[5]), VT_BSTR);
    assert_wstr_equal(V_BSTR(&items[5]), L"ab");
    assert_int_equal(V_VT(&items[6]), VT_BSTR);
    assert_wstr_equal(V_BSTR(&items[6]), L"hi");
    assert_int_equal(V_VT(&items[7]), VT_BOOL);
    assert_int_equal(V_BOOL(&items[7]), VARIANT_TRUE);
    SafeArrayUnaccessData(V_ARRAY(&out));
    VariantClear(&out);

    /* Too few values, a bad value, a bad format: nothing written. */
    {
        VARIANT few = variant_array(7, vals);
        assert_error(ISharedRegion_Pack(r, 1, fmt, few, missing(), &n), E_INVALIDARG, L"Pack");
        ASSERT_DESCRIPTION(L"Pack: format '<bhIqf3s2w?' has 8 fields, and 7 values were given");
        SafeArrayDestroyDescriptor(V_ARRAY(&few)); /* the values belong to arr */
    }
    {
        VARIANT *items2;
        SafeArrayAccessData(V_ARRAY(&arr), (void **)&items2);
        items2[0] = vnum(128); /* not an int8 */
        SafeArrayUnaccessData(V_ARRAY(&arr));
        assert_error(ISharedRegion_Pack(r, 1, fmt, arr, missing(), &n), E_INVALIDARG, L"Pack");
        assert_int_equal(n, 0);
    }
    {
        BSTR bad = SysAllocString(L"<hZ");
        assert_error(ISharedRegion_Pack(r, 1, bad, arr, missing(), &n), E_INVALIDARG, L"Pack");
        assert_error(ISharedRegion_Unpack(r, 1, bad, missing(), &out), E_INVALIDARG, L"Unpack");
        assert_error(ISharedRegion_CalcSize(r, bad, &n), E_INVALIDARG, L"CalcSize");
        SysFreeString(bad);
    }
    {
        BYTE got[27];
        region_bytes(r, 1, got, 27);
        assert_memory_equal(got, frame, 27);
    }
    /* Past the end: refused. */
    assert_error(ISharedRegion_Unpack(r, SMALL - 26, fmt, missing(), &out), E_INVALIDARG, L"Unpack");
    VariantClear(&arr);
    SysFreeString(fmt);
    ISharedRegion_Release(closed);
    ISharedRegion_Release(r);
}

/* ---- encodings ---- */

static void test_strings_in_code_pages(void **state)
{
    ISharedRegion *r = create_region(L"", SMALL);
    BSTR text = SysAllocString(L"caf\x00e9 \x20ac"), out = NULL;
    LONG n;

    /* cp1252 has both characters, one byte each, NUL after. */
    assert_int_equal(ISharedRegion_WriteString(r, 11, text, vstr(L"cp1252"), missing(), &n), S_OK);
    assert_int_equal(n, 7);
    EXPECT_BYTES(r, 11, __LINE__, 'c', 'a', 'f', 0xe9, ' ', 0x80, 0x00);
    assert_int_equal(ISharedRegion_ReadString(r, 11, missing(), vstr(L"cp1252"), &out), S_OK);
    assert_wstr_equal(out, text);
    SysFreeString(out);
    /* latin-1 reads each byte as U+0000..U+00FF: 0x80 is U+0080. */
    assert_int_equal(ISharedRegion_ReadString(r, 11, missing(), vstr(L"latin-1"), &out), S_OK);
    assert_wstr_equal(out, L"caf\x00e9 \x0080");
    SysFreeString(out);
    /* latin-1 cannot hold the euro sign, ascii not even the e acute: an error, and nothing written. */
    assert_error(ISharedRegion_WriteString(r, 11, text, vstr(L"latin-1"), missing(), &n), SR_E_BADENCODING, L"WriteString");
    assert_error(ISharedRegion_WriteString(r, 11, text, vstr(L"ascii"), missing(), &n), SR_E_BADENCODING, L"WriteString");
    EXPECT_BYTES(r, 11, __LINE__, 'c', 'a', 'f', 0xe9, ' ', 0x80, 0x00);
    /* utf-16: the terminator is one whole code unit (2 bytes). */
    assert_int_equal(ISharedRegion_WriteString(r, 21, text, vstr(L"utf-16"), missing(), &n), S_OK);
    assert_int_equal(n, 14);
    EXPECT_BYTES(r, 31, __LINE__, 0xac, 0x20, 0x00, 0x00);
    assert_int_equal(ISharedRegion_ReadString(r, 21, missing(), vstr(L"utf-16"), &out), S_OK);
    assert_wstr_equal(out, text);
    SysFreeString(out);
    /* strict ascii reading a byte above 0x7f. */
    assert_error(ISharedRegion_ReadString(r, 11, missing(), vstr(L"ascii"), &out), SR_E_BADENCODING, L"ReadString");
    SysFreeString(text);
    ISharedRegion_Release(r);
}

/* ---- a region over 64 MiB: values across the sliding window's edge ---- */

static void test_values_straddling_the_64mib_window_edge(void **state)
{
    const double edge = 64.0 * MIB;
    ISharedRegion *r = create_region(L"", 64 * MIB + 65536);
    VARIANT v, vals[2], arr, out, *items;
    double x;
    LONG n;

    /* An Int64 whose bytes lie 3 below and 5 above the edge, written and read through both windows. */
    assert_int_equal(ISharedRegion_WriteInt64(r, edge - 3, vstr(L"-9223372036854775807")), S_OK);
    EXPECT_BYTES(r, edge - 3, __LINE__, 0x01, 0, 0, 0, 0, 0, 0, 0x80);
    assert_int_equal(ISharedRegion_ReadInt64(r, 0, &v), S_OK);   /* move the window back to the start */
    assert_int_equal(ISharedRegion_ReadInt64(r, edge - 3, &v), S_OK);
    ASSERT_NUMBER(&v, VT_DECIMAL, L"-9223372036854775807");
    assert_int_equal(ISharedRegion_WriteSingle(r, edge - 1, -0.5), S_OK);
    assert_int_equal(ISharedRegion_ReadSingle(r, edge - 1, &x), S_OK);
    assert_true(x == -0.5);
    assert_int_equal(ISharedRegion_WriteUInt16(r, edge - 1, 0xbeef), S_OK);
    EXPECT_BYTES(r, edge - 1, __LINE__, 0xef, 0xbe);

    /* An array and a struct across the edge. */
    vals[0] = vnum(1.25);
    vals[1] = vnum(-3);
    arr = variant_array(2, vals);
    assert_int_equal(ISharedRegion_WriteArray(r, edge - 6, arr, vstr(L"d"), &n), S_OK);
    assert_int_equal(ISharedRegion_ReadArray(r, edge - 6, 2, vstr(L"Double"), &out), S_OK);
    SafeArrayAccessData(V_ARRAY(&out), (void **)&items);
    ASSERT_NUMBER(&items[0], VT_R8, L"1.25");
    ASSERT_NUMBER(&items[1], VT_R8, L"-3");
    SafeArrayUnaccessData(V_ARRAY(&out));
    VariantClear(&out);
    {
        BSTR fmt = SysAllocString(L"<dd");
        assert_int_equal(ISharedRegion_Unpack(r, edge - 6, fmt, missing(), &out), S_OK);
        SafeArrayAccessData(V_ARRAY(&out), (void **)&items);
        ASSERT_NUMBER(&items[1], VT_R8, L"-3");
        SafeArrayUnaccessData(V_ARRAY(&out));
        VariantClear(&out);
        vals[0] = vnum(7);
        vals[1] = vnum(8);
        VariantClear(&arr);
        arr = variant_array(2, vals);
        assert_int_equal(ISharedRegion_Pack(r, edge - 6, fmt, arr, missing(), &n), S_OK);
        assert_int_equal(n, 16);
        EXPECT_BYTES(r, edge + 2, __LINE__, 0, 0, 0, 0, 0, 0, 0x20, 0x40);
        SysFreeString(fmt);
    }
    VariantClear(&arr);
    {
        SAFEARRAY *sa = SafeArrayCreateVector(VT_UI1, 0, 4);
        VARIANT buf;
        BYTE *p;
        V_VT(&buf) = VT_BYREF | VT_ARRAY | VT_UI1;
        V_ARRAYREF(&buf) = &sa;
        assert_int_equal(ISharedRegion_ReadInto(r, edge - 1, buf, &n), S_OK);
        assert_int_equal(n, 4);
        SafeArrayAccessData(sa, (void **)&p);
        /* the top three bytes of 7.0 (0x401c000000000000) and the lowest of 8.0 */
        assert_int_equal(p[0], 0x00);
        assert_int_equal(p[1], 0x1c);
        assert_int_equal(p[2], 0x40);
        assert_int_equal(p[3], 0x00);
        SafeArrayUnaccessData(sa);
        SafeArrayDestroy(sa);
    }
    ISharedRegion_Release(r);
}

/* ---- issue: VT_I1 arrays are range-checked; references followed one level ---- */

static void test_write_bytes_checks_signed_byte_arrays(void **state)
{
    ISharedRegion *r = create_region(L"", SMALL);
    VARIANT v;
    signed char *p;

    write_bytes(r, 0, "\x11\x22", 2);
    V_VT(&v) = VT_ARRAY | VT_I1;
    V_ARRAY(&v) = SafeArrayCreateVector(VT_I1, 0, 2);
    SafeArrayAccessData(V_ARRAY(&v), (void **)&p);
    p[0] = 5;
    p[1] = -1;
    SafeArrayUnaccessData(V_ARRAY(&v));
    /* -1 is not a byte, as a VT_I2 -1 is not: refused, nothing written. */
    assert_error(ISharedRegion_WriteBytes(r, 0, v), E_INVALIDARG, L"WriteBytes");
    ASSERT_DESCRIPTION(L"WriteBytes: element 1 of data is -1, not a whole number 0..255");
    EXPECT_BYTES(r, 0, __LINE__, 0x11, 0x22);
    SafeArrayAccessData(V_ARRAY(&v), (void **)&p);
    p[1] = 127;
    SafeArrayUnaccessData(V_ARRAY(&v));
    assert_int_equal(ISharedRegion_WriteBytes(r, 0, v), S_OK);
    EXPECT_BYTES(r, 0, __LINE__, 5, 127);
    VariantClear(&v);
    ISharedRegion_Release(r);
}

static void test_references_are_followed_one_level_on_the_vtable(void **state)
{
    ISharedRegion *r = create_region(L"", SMALL);
    VARIANT loop, inner, out;
    BSTR text = NULL;
    LONG n;

    loop = vref(&loop);
    /* A NULL reference and a self-reference: refused with a message, no crash and no endless loop. */
    assert_error(ISharedRegion_WriteBytes(r, 0, vref(NULL)), E_INVALIDARG, L"WriteBytes");
    assert_error(ISharedRegion_WriteBytes(r, 0, loop), E_INVALIDARG, L"WriteBytes");
    assert_error(ISharedRegion_ReadString(r, 0, missing(), vref(NULL), &text), E_INVALIDARG, L"ReadString");
    assert_error(ISharedRegion_ReadString(r, 0, loop, missing(), &text), E_INVALIDARG, L"ReadString");
    ASSERT_DESCRIPTION(L"ReadString: maxBytes is a by-reference VARIANT that refers to nothing usable "
                       L"(a NULL reference, or a reference to another reference)");
    assert_error(ISharedRegion_Flush(r, loop, missing()), E_INVALIDARG, L"Flush");
    assert_error(ISharedRegion_WriteInt64(r, 0, loop), E_INVALIDARG, L"WriteInt64");
    assert_error(ISharedRegion_ReadArray(r, 0, 1, loop, &out), E_INVALIDARG, L"ReadArray");
    assert_error(ISharedRegion_WriteArray(r, 0, loop, vstr(L"b"), &n), E_INVALIDARG, L"WriteArray");
    /* One level is followed. */
    inner = vnum(3);
    assert_int_equal(ISharedRegion_WriteString(r, 0, NULL, missing(), vref(&inner), &n), S_OK); /* 3 is True */
    assert_int_equal(n, 1);
    ISharedRegion_Release(r);
}

/* ---- IDispatch: every new member by name, and the fast path against plain ITypeInfo_Invoke ---- */

static void test_new_members_through_idispatch_on_regions_and_views(void **state)
{
    struct target t;
    VARIANT res, *items;
    int i;

    target_open(&t);
    for (i = 0; i < 2; i++)
    {
        IDispatch *d = (IDispatch *)t.data[i];
        double b = t.base[i];
        SAFEARRAY *sa;
        VARIANT holder;

        assert_int_equal(disp_method(d, L"WriteInt8", NULL, 2, vi4(1), vi4(-5)), S_OK);
        assert_int_equal(disp_method(d, L"ReadInt8", &res, 1, vi4(1)), S_OK);
        ASSERT_NUMBER(&res, VT_I2, L"-5");
        assert_disp_error(disp_method(d, L"WriteInt8", NULL, 2, vi4(1), vi4(200)), E_INVALIDARG, L"WriteInt8");
        assert_wstr_equal(disp_description, L"WriteInt8: value 200 is out of range; Int8 takes -128 to 127");
        EXPECT_BYTES(t.region, b + 1, __LINE__, 0xfb);
        assert_int_equal(disp_method(d, L"WriteInt16", NULL, 2, vnum(3), vstr(L"-300")), S_OK); /* the type library converts */
        assert_int_equal(disp_method(d, L"ReadInt16", &res, 1, vnum(3)), S_OK);
        ASSERT_NUMBER(&res, VT_I2, L"-300");
        assert_int_equal(disp_method(d, L"WriteUInt16", NULL, 2, vnum(5), vnum(65535)), S_OK);
        assert_int_equal(disp_method(d, L"ReadUInt16", &res, 1, vnum(5)), S_OK);
        ASSERT_NUMBER(&res, VT_I4, L"65535");
        assert_int_equal(disp_method(d, L"WriteUInt32", NULL, 2, vnum(7), vnum(4294967295.0)), S_OK);
        assert_int_equal(disp_method(d, L"ReadUInt32", &res, 1, vnum(7)), S_OK);
        ASSERT_NUMBER(&res, VT_R8, L"4294967295");
        assert_int_equal(disp_method(d, L"WriteInt64", NULL, 2, vnum(11), vstr(L"-9223372036854775808")), S_OK);
        assert_int_equal(disp_method(d, L"ReadInt64", &res, 1, vnum(11)), S_OK);
        ASSERT_NUMBER(&res, VT_DECIMAL, L"-9223372036854775808");
        assert_int_equal(disp_method(d, L"WriteUInt64", NULL, 2, vnum(11), vdec(L"18446744073709551615")), S_OK);
        assert_int_equal(disp_method(d, L"ReadUInt64", &res, 1, vnum(11)), S_OK);
        ASSERT_NUMBER(&res, VT_DECIMAL, L"18446744073709551615");
        assert_disp_error(disp_method(d, L"WriteUInt64", NULL, 2, vnum(11), vnum(-1)), E_INVALIDARG, L"WriteUInt64");
        assert_int_equal(disp_method(d, L"WriteSingle", NULL, 2, vnum(19), vnum(2.5)), S_OK);
        assert_int_equal(disp_method(d, L"ReadSingle", &res, 1, vnum(19)), S_OK);
        ASSERT_NUMBER(&res, VT_R8, L"2.5");
        assert_disp_error(disp_method(d, L"WriteSingle", NULL, 2, vnum(19), vnum(1e39)), E_INVALIDARG, L"WriteSingle");

        assert_int_equal(disp_method(d, L"ReadArray", &res, 3, vnum(1), vnum(1), vstr(L"b")), S_OK);
        assert_int_equal(V_VT(&res), VT_ARRAY | VT_VARIANT);
        SafeArrayAccessData(V_ARRAY(&res), (void **)&items);
        ASSERT_NUMBER(&items[0], VT_I2, L"-5");
        SafeArrayUnaccessData(V_ARRAY(&res));
        assert_int_equal(disp_method(d, L"WriteArray", &res, 3, vnum(40), res, vstr(L"q")), S_OK);
        ASSERT_NUMBER(&res, VT_I4, L"1");
        EXPECT_BYTES(t.region, b + 40, __LINE__, 0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

        /* ReadInto from a script variable (VT_BYREF|VT_VARIANT holding a Byte()). */
        sa = SafeArrayCreateVector(VT_UI1, 0, 2);
        V_VT(&holder) = VT_ARRAY | VT_UI1;
        V_ARRAY(&holder) = sa;
        assert_int_equal(disp_method(d, L"ReadInto", &res, 2, vnum(19), vref(&holder)), S_OK);
        ASSERT_NUMBER(&res, VT_I4, L"2");
        assert_ptr_equal(V_ARRAY(&holder), sa);
        {
            BYTE *p;
            SafeArrayAccessData(sa, (void **)&p);
            assert_int_equal(p[0], 0x00); /* 2.5f = 0x40200000 */
            assert_int_equal(p[1], 0x00);
            SafeArrayUnaccessData(sa);
        }
        assert_int_equal(disp_method(d, L"ReadInto", &res, 2, vnum(21), vref(&holder)), S_OK);
        {
            BYTE *p;
            SafeArrayAccessData(sa, (void **)&p);
            assert_int_equal(p[0], 0x20);
            assert_int_equal(p[1], 0x40);
            SafeArrayUnaccessData(sa);
        }
        SafeArrayDestroy(sa);

        assert_int_equal(disp_method(d, L"CalcSize", &res, 1, vstr(L"<hq")), S_OK);
        ASSERT_NUMBER(&res, VT_I4, L"10");
        assert_int_equal(disp_method(d, L"Unpack", &res, 2, vnum(3), vstr(L"<hH")), S_OK);
        SafeArrayAccessData(V_ARRAY(&res), (void **)&items);
        ASSERT_NUMBER(&items[0], VT_I2, L"-300");
        ASSERT_NUMBER(&items[1], VT_I4, L"65535");
        SafeArrayUnaccessData(V_ARRAY(&res));
        assert_int_equal(disp_method(d, L"Pack", &res, 3, vnum(3), vstr(L"<hH"), res), S_OK);
        ASSERT_NUMBER(&res, VT_I4, L"4");
        assert_int_equal(disp_method(d, L"Unpack", &res, 3, vnum(3), vstr(L">h"), vstr(L"utf-8")), S_OK);
        SafeArrayAccessData(V_ARRAY(&res), (void **)&items);
        ASSERT_NUMBER(&items[0], VT_I2, L"-11010"); /* -300 is d4 fe; read big-endian, 0xd4fe */
        SafeArrayUnaccessData(V_ARRAY(&res));
        VariantClear(&res);
        assert_disp_error(disp_method(d, L"Unpack", &res, 2, vnum(i ? SMALL : 4 * SMALL), vstr(L"h")), E_INVALIDARG, L"Unpack");
    }
    target_close(&t);
}

/* The same call through IDispatch_Invoke (which may take the fast path) and through plain
 * ITypeInfo_Invoke on the same object: the same HRESULT, result and description. */
static void same_as_typeinfo(IDispatch *d, ITypeInfo *ti, const WCHAR *name, int argc, VARIANT *args, int line)
{
    DISPPARAMS dp = { args, NULL, (UINT)argc, 0 };
    VARIANT r1, r2;
    EXCEPINFO e1, e2;
    UINT argerr = 0;
    DISPID id;
    LPOLESTR n = (LPOLESTR)name;
    HRESULT h1, h2;

    assert_int_equal(IDispatch_GetIDsOfNames(d, &IID_NULL, &n, 1, 0, &id), S_OK);
    memset(&e1, 0, sizeof(e1));
    memset(&e2, 0, sizeof(e2));
    VariantInit(&r1);
    VariantInit(&r2);
    h1 = IDispatch_Invoke(d, id, &IID_NULL, 0, DISPATCH_METHOD, &dp, &r1, &e1, &argerr);
    h2 = ITypeInfo_Invoke(ti, d, id, DISPATCH_METHOD, &dp, &r2, &e2, &argerr);
    if (h1 != h2) fail_msg("line %d: %ls: Invoke %#lx, ITypeInfo_Invoke %#lx", line, name, h1, h2);
    if (h1 == DISP_E_EXCEPTION)
    {
        if (e1.scode != e2.scode) fail_msg("line %d: %ls: scode %#lx vs %#lx", line, name, e1.scode, e2.scode);
        if (!e1.bstrDescription || !e2.bstrDescription || wcscmp(e1.bstrDescription, e2.bstrDescription))
            fail_msg("line %d: %ls: '%ls' vs '%ls'", line, name, e1.bstrDescription, e2.bstrDescription);
    }
    /* On failure the result is not looked at (Wine's ITypeInfo_Invoke leaves the retval's type in it). */
    if (FAILED(h1)) V_VT(&r1) = V_VT(&r2) = VT_EMPTY;
    if (V_VT(&r1) != V_VT(&r2)) fail_msg("line %d: %ls: vt %#x vs %#x", line, name, V_VT(&r1), V_VT(&r2));
    if (V_VT(&r1) != VT_EMPTY && VarCmp(&r1, &r2, 0, 0) != VARCMP_EQ && !(V_VT(&r1) & VT_ARRAY))
        fail_msg("line %d: %ls: different results", line, name);
    if (V_VT(&r1) == (VT_ARRAY | VT_VARIANT))
    {
        VARIANT *a, *b;
        LONG hi1, hi2, k;
        SafeArrayGetUBound(V_ARRAY(&r1), 1, &hi1);
        SafeArrayGetUBound(V_ARRAY(&r2), 1, &hi2);
        assert_int_equal(hi1, hi2);
        SafeArrayAccessData(V_ARRAY(&r1), (void **)&a);
        SafeArrayAccessData(V_ARRAY(&r2), (void **)&b);
        for (k = 0; k <= hi1; k++)
            if (V_VT(&a[k]) != V_VT(&b[k]) || VarCmp(&a[k], &b[k], 0, 0) != VARCMP_EQ)
                fail_msg("line %d: %ls: element %ld differs", line, name, k);
        SafeArrayUnaccessData(V_ARRAY(&r1));
        SafeArrayUnaccessData(V_ARRAY(&r2));
    }
    VariantClear(&r1);
    VariantClear(&r2);
    SysFreeString(e1.bstrDescription);
    SysFreeString(e1.bstrSource);
    SysFreeString(e2.bstrDescription);
    SysFreeString(e2.bstrSource);
}
#define SAME(d, ti, name, ...) do { \
        VARIANT a_[] = { __VA_ARGS__ }; same_as_typeinfo(d, ti, name, ARRAY_SIZE(a_), a_, __LINE__); } while (0)

static void test_fast_path_behaves_like_itypeinfo_invoke(void **state)
{
    struct target t;
    int i;

    target_open(&t);
    for (i = 0; i < 2; i++)
    {
        IDispatch *d = (IDispatch *)t.data[i];
        ITypeInfo *ti;
        VARIANT byref_off;

        assert_int_equal(IDispatch_GetTypeInfo(d, 0, 0, &ti), S_OK);
        byref_off = vnum(7);
        /* rgvarg holds the last argument first. */
        SAME(d, ti, L"WriteInt8", vi4(-7), vi4(1));
        SAME(d, ti, L"ReadInt8", vi4(1));
        SAME(d, ti, L"WriteInt8", vi4(128), vi4(1));          /* fails the same way */
        SAME(d, ti, L"WriteInt16", vnum(-2), vref(&byref_off)); /* offset by reference */
        SAME(d, ti, L"ReadInt16", vref(&byref_off));
        SAME(d, ti, L"WriteUInt16", vnum(1.5), vnum(9));
        SAME(d, ti, L"WriteUInt32", vnum(4e9), vnum(9));
        SAME(d, ti, L"ReadUInt32", vnum(9));
        SAME(d, ti, L"ReadUInt16", vnum(9));
        SAME(d, ti, L"WriteInt64", vstr(L"9007199254740993"), vnum(13));
        SAME(d, ti, L"ReadInt64", vnum(13));
        SAME(d, ti, L"ReadUInt64", vnum(13));
        SAME(d, ti, L"WriteUInt64", vstr(L"-1"), vnum(13));
        SAME(d, ti, L"WriteSingle", vnum(0.1), vnum(21));
        SAME(d, ti, L"ReadSingle", vnum(21));
        SAME(d, ti, L"WriteSingle", vnum(1e300), vnum(21));
        SAME(d, ti, L"ReadSingle", vnum(-1));                  /* bad offset */
        SAME(d, ti, L"ReadSingle", vnum(SMALL - 2));           /* past the end */
        SAME(d, ti, L"WriteByte", vi4(256), vi4(0));
        SAME(d, ti, L"WriteByte", vnum(2.5), vi4(0));            /* a Double parameter: judged, not rounded */
        SAME(d, ti, L"WriteByte", vnum(255), vref(&byref_off));
        SAME(d, ti, L"WriteInt32", vnum(2.5), vnum(1));
        SAME(d, ti, L"WriteInt32", vnum(3e9), vnum(1));
        SAME(d, ti, L"WriteInt32", vi4(-5), vnum(1));
        SAME(d, ti, L"ReadInt32", vnum(1));
        SAME(d, ti, L"ReadInt32", vnum(1));
        SAME(d, ti, L"WriteDouble", vi4(3), vnum(30));
        SAME(d, ti, L"ReadDouble", vnum(30));
        SAME(d, ti, L"ReadArray", vstr(L"h"), vnum(3), vnum(1));
        SAME(d, ti, L"ReadArray", vi4(DataSingle), vnum(2), vnum(21));
        SAME(d, ti, L"ReadArray", vstr(L"nope"), vnum(2), vnum(21));
        SAME(d, ti, L"Unpack", vstr(L"<bhq"), vnum(1));
        SAME(d, ti, L"Unpack", vstr(L"utf-16"), vstr(L"<2w"), vnum(1));
        SAME(d, ti, L"Unpack", vstr(L"<bhq?x"), vnum(SMALL - 4));
        {
            /* ReadInto through a script variable: both paths fill the same array. */
            VARIANT holder;
            V_VT(&holder) = VT_ARRAY | VT_UI1;
            V_ARRAY(&holder) = SafeArrayCreateVector(VT_UI1, 0, 4);
            SAME(d, ti, L"ReadInto", vref(&holder), vnum(1));
            SAME(d, ti, L"ReadInto", vref(&holder), vnum(SMALL - 2));
            SAME(d, ti, L"ReadInto", vnum(3), vnum(1));
            VariantClear(&holder);
        }
        ITypeInfo_Release(ti);
    }
    target_close(&t);
}

/* The derived interfaces answer for their base, and the type info lists the inherited members. */
static void test_regions_and_views_are_isharreddata(void **state)
{
    struct target t;
    ISupportErrorInfo *sei;
    LPOLESTR name = (LPOLESTR)L"ReadSingle";
    DISPID id = 0;
    int i;

    target_open(&t);
    for (i = 0; i < 2; i++)
    {
        IUnknown *u = (IUnknown *)t.data[i];
        ITypeInfo *ti;
        TYPEATTR *attr;
        assert_int_equal(IUnknown_QueryInterface(u, &IID_ISupportErrorInfo, (void **)&sei), S_OK);
        assert_int_equal(ISupportErrorInfo_InterfaceSupportsErrorInfo(sei, &IID_ISharedData), S_OK);
        ISupportErrorInfo_Release(sei);
        assert_int_equal(IDispatch_GetIDsOfNames((IDispatch *)u, &IID_NULL, &name, 1, 0, &id), S_OK);
        assert_int_equal(id, 124);
        assert_int_equal(IDispatch_GetTypeInfo((IDispatch *)u, 0, 0, &ti), S_OK);
        assert_int_equal(ITypeInfo_GetTypeAttr(ti, &attr), S_OK);
        assert_int_equal(attr->typekind, TKIND_DISPATCH);
        ITypeInfo_ReleaseTypeAttr(ti, attr);
        ITypeInfo_Release(ti);
    }
    target_close(&t);
}

/* An object passed where a value, a type or an array goes is refused, and keeps no reference. */
static void test_objects_as_arguments_keep_no_reference(void **state)
{
    ISharedRegion *r = create_region(L"", SMALL), *o = new_region();
    VARIANT obj, out, vals[1], arr;
    ULONG before;
    LONG n;

    V_VT(&obj) = VT_DISPATCH;
    V_DISPATCH(&obj) = (IDispatch *)o;
    vals[0] = obj;
    ISharedRegion_AddRef(o); /* the array's reference */
    arr = variant_array(1, vals);
    ISharedRegion_AddRef(o);
    before = ISharedRegion_Release(o);
    assert_error(ISharedRegion_ReadArray(r, 0, 1, obj, &out), DISP_E_TYPEMISMATCH, L"ReadArray");
    assert_int_equal(ISharedRegion_AddRef(o) - 1, before); ISharedRegion_Release(o);
    assert_error(ISharedRegion_WriteArray(r, 0, obj, vstr(L"b"), &n), DISP_E_TYPEMISMATCH, L"WriteArray");
    assert_int_equal(ISharedRegion_AddRef(o) - 1, before); ISharedRegion_Release(o);
    assert_error(ISharedRegion_WriteArray(r, 0, vnum(1), obj, &n), DISP_E_TYPEMISMATCH, L"WriteArray");
    assert_int_equal(ISharedRegion_AddRef(o) - 1, before); ISharedRegion_Release(o);
    assert_error(ISharedRegion_WriteArray(r, 0, arr, vstr(L"b"), &n), DISP_E_TYPEMISMATCH, L"WriteArray");
    assert_int_equal(ISharedRegion_AddRef(o) - 1, before); ISharedRegion_Release(o);
    assert_error(ISharedRegion_WriteInt64(r, 0, obj), DISP_E_TYPEMISMATCH, L"WriteInt64");
    assert_int_equal(ISharedRegion_AddRef(o) - 1, before); ISharedRegion_Release(o);
    /* Through IDispatch with the required type left out: refused before the type library, which would
     * keep its copy of the object argument. */
    assert_disp_error(disp_method(r, L"WriteArray", &out, 2, vnum(0), obj), DISP_E_BADPARAMCOUNT, L"WriteArray");
    assert_wstr_equal(disp_description, L"WriteArray: 2 arguments given; it takes 3 (offset, values, type)");
    assert_int_equal(ISharedRegion_AddRef(o) - 1, before); ISharedRegion_Release(o);
    assert_disp_error(disp_method(r, L"Pack", &out, 2, vnum(0), obj), DISP_E_BADPARAMCOUNT, L"Pack");
    assert_int_equal(ISharedRegion_AddRef(o) - 1, before); ISharedRegion_Release(o);
    VariantClear(&arr);
    assert_int_equal(ISharedRegion_Release(o), 0);
    ISharedRegion_Release(r);
}

/* ---- issue 16: limits that keep sizes from wrapping, strict text, typed writes that judge the value ---- */

static void test_huge_arrays_are_refused_before_they_are_read_or_made(void **state)
{
    static BYTE memory[64];
    static const BYTE before[4] = { 0x5a, 0x5b, 0x5c, 0x5d };
    ISharedRegion *r = create_region(L"", 65536), *big;
    BSTR fmt;
    VARIANT v, out, one[1], arr;
    LONG n;

    write_bytes(r, 0, before, 4);
    V_VT(&v) = VT_ARRAY | VT_UI1;
    V_ARRAY(&v) = claimed_array(VT_UI1, 268435457, memory); /* 256 MiB + 1: 2^28 + 1 elements */
    /* WriteArray walks a Byte() where it lies: the count is checked against the bounds, no VARIANT is made
     * (an x86 DLL allocated 16 bytes for 2^28 + 1 of them and wrote them all). */
    n = -1;
    assert_error(ISharedRegion_WriteArray(r, 0, v, vstr(L"B"), &n), E_INVALIDARG, L"WriteArray");
    ASSERT_DESCRIPTION(L"WriteArray: offset 0 + count 268435457 is past the end of the region (65536 bytes)");
    assert_int_equal(n, 0);
    assert_error(ISharedRegion_WriteArray(r, 0, v, vstr(L"d"), &n), E_INVALIDARG, L"WriteArray");
    ASSERT_DESCRIPTION(L"WriteArray: count 268435457 of Double is more than one call can move (2147483647 bytes)");
    assert_int_equal(V_ARRAY(&v)->cLocks, 0); /* given back */
    /* Pack counts the values from the array's bounds before it copies any. */
    fmt = SysAllocString(L"B");
    assert_error(ISharedRegion_Pack(r, 0, fmt, v, missing(), &n), E_INVALIDARG, L"Pack");
    ASSERT_DESCRIPTION(L"Pack: format 'B' has 1 field, and 268435457 values were given");
    SysFreeString(fmt);
    fmt = SysAllocString(L"268435457B");
    assert_error(ISharedRegion_Pack(r, 0, fmt, v, missing(), &n), E_INVALIDARG, L"Pack");
    ASSERT_DESCRIPTION(L"Pack: offset 0 + count 268435457 is past the end of the region (65536 bytes)");
    assert_error(ISharedRegion_WriteBytes(r, 0, v), E_INVALIDARG, L"WriteBytes");
    ASSERT_DESCRIPTION(L"WriteBytes: offset 0 + count 268435457 is past the end of the region (65536 bytes)");
    assert_int_equal(V_ARRAY(&v)->cLocks, 0);

    /* ReadArray's result is a Variant(), also for "B": at most 89478485 elements (under 2^31 bytes). */
    assert_error(ISharedRegion_ReadArray(r, 0, 89478485, vstr(L"B"), &out), E_INVALIDARG, L"ReadArray");
    ASSERT_DESCRIPTION(L"ReadArray: offset 0 + count 89478485 is past the end of the region (65536 bytes)");
    assert_error(ISharedRegion_ReadArray(r, 0, 89478486, vstr(L"B"), &out), E_INVALIDARG, L"ReadArray");
    ASSERT_DESCRIPTION(L"ReadArray: count 89478486 is more than one call can return (89478485 elements)");
    assert_int_equal(V_VT(&out), VT_EMPTY);
    read_expect(r, 0, before, 4);

    /* On a region large enough to hold them (its pages are never touched: each call is refused first).
     * Pack would need 2^28 + 1 VARIANTs for the values: refused by their count. */
    big = create_region(L"", 257 * MIB);
    assert_error(ISharedRegion_Pack(big, 0, fmt, v, missing(), &n), E_INVALIDARG, L"Pack");
    ASSERT_DESCRIPTION(L"Pack: values has 268435457 elements, more than one call can take (89478485)");
    assert_int_equal(V_ARRAY(&v)->cLocks, 0);
    assert_int_equal(SafeArrayDestroyDescriptor(V_ARRAY(&v)), S_OK);
    SysFreeString(fmt);
    /* 178956971 VARIANTs are 2^32 + 8 bytes, which the system's SafeArrayCreate made 8. */
    assert_error(ISharedRegion_ReadArray(big, 0, 178956971, vstr(L"B"), &out), E_INVALIDARG, L"ReadArray");
    ASSERT_DESCRIPTION(L"ReadArray: count 178956971 is more than one call can return (89478485 elements)");
    assert_disp_error(disp_method(big, L"ReadArray", &out, 3, vnum(0), vnum(178956971), vstr(L"B")), E_INVALIDARG,
                      L"ReadArray");
    assert_wstr_equal(disp_description, L"ReadArray: count 178956971 is more than one call can return (89478485 elements)");
    fmt = SysAllocString(L"178956971B");
    assert_error(ISharedRegion_Unpack(big, 0, fmt, missing(), &out), E_INVALIDARG, L"Unpack");
    ASSERT_DESCRIPTION(L"Unpack: format \"178956971B\" has 178956971 fields, more than one call can return (89478485)");
    SysFreeString(fmt);
    assert_disp_error(disp_method(big, L"Unpack", &out, 2, vnum(0), vstr(L"178956971B")), E_INVALIDARG, L"Unpack");
    ISharedRegion_Release(big);

    /* A typed array that fits is written from its own memory, and is given back unlocked. */
    one[0] = vnum(7);
    arr = variant_array(1, one);
    assert_int_equal(ISharedRegion_WriteArray(r, 8, arr, vstr(L"h"), &n), S_OK);
    assert_int_equal(n, 1);
    assert_int_equal(V_ARRAY(&arr)->cLocks, 0);
    EXPECT_BYTES(r, 8, __LINE__, 7, 0);
    VariantClear(&arr);
    ISharedRegion_Release(r);
}

static void test_format_with_a_nul_is_refused(void **state)
{
    ISharedRegion *r = create_region(L"", SMALL);
    BSTR fmt = SysAllocStringLen(L"h\0q", 3);
    VARIANT vals[2], arr, out, f;
    LONG n = 7;

    write_bytes(r, 0, "\x11\x22\x33\x44", 4);
    /* Python refuses it ("embedded null character"); the part before the NUL ("h") is not parsed alone. */
    assert_error(ISharedRegion_CalcSize(r, fmt, &n), E_INVALIDARG, L"CalcSize");
    ASSERT_DESCRIPTION(L"CalcSize: the format contains a NUL character at position 1");
    assert_int_equal(n, 0);
    assert_error(ISharedRegion_Unpack(r, 0, fmt, missing(), &out), E_INVALIDARG, L"Unpack");
    ASSERT_DESCRIPTION(L"Unpack: the format contains a NUL character at position 1");
    vals[0] = vnum(-1);
    vals[1] = vnum(-1);
    arr = variant_array(1, vals);
    assert_error(ISharedRegion_Pack(r, 0, fmt, arr, missing(), &n), E_INVALIDARG, L"Pack");
    ASSERT_DESCRIPTION(L"Pack: the format contains a NUL character at position 1");
    VariantClear(&arr);
    arr = variant_array(2, vals);
    assert_error(ISharedRegion_Pack(r, 0, fmt, arr, missing(), &n), E_INVALIDARG, L"Pack");
    read_expect(r, 0, "\x11\x22\x33\x44", 4);
    /* Through IDispatch: Unpack by the fast path, CalcSize and Pack through the type library. */
    V_VT(&f) = VT_BSTR;
    V_BSTR(&f) = fmt;
    assert_disp_error(disp_method(r, L"Unpack", &out, 2, vnum(0), f), E_INVALIDARG, L"Unpack");
    assert_wstr_equal(disp_description, L"Unpack: the format contains a NUL character at position 1");
    assert_disp_error(disp_method(r, L"CalcSize", &out, 1, f), E_INVALIDARG, L"CalcSize");
    assert_disp_error(disp_method(r, L"Pack", &out, 3, vnum(0), f, arr), E_INVALIDARG, L"Pack");
    read_expect(r, 0, "\x11\x22\x33\x44", 4);
    VariantClear(&arr);
    SysFreeString(fmt);
    ISharedRegion_Release(r);
}

static void test_utf16_is_strict_through_the_members(void **state)
{
    static const BYTE text[] = { 'a', 0, 0x3d, 0xd8, 0x00, 0xde, 0, 0 };   /* "a", U+1F600, NUL */
    static const BYTE lone[] = { 0x00, 0xdc, 'a', 0, 0, 0 };              /* a low surrogate alone */
    ISharedRegion *r = create_region(L"", SMALL);
    BSTR out = NULL, fmt;
    VARIANT vals[1], arr, res, *items;
    LONG n;

    write_bytes(r, 100, "a\0b\0c", 5);
    write_bytes(r, 200, text, sizeof(text));
    write_bytes(r, 300, lone, sizeof(lone));
    /* An odd byte count (maxBytes 3, no terminator before it): refused, not cut to one character. */
    assert_error(ISharedRegion_ReadString(r, 100, vnum(3), vstr(L"utf-16"), &out), SR_E_BADENCODING, L"ReadString");
    ASSERT_DESCRIPTION(L"ReadString: the 3 bytes at offset 100 are not valid utf-16 (an odd number of bytes)");
    assert_null(out);
    /* maxBytes that cut a surrogate pair in half; the whole pair; a surrogate alone in the bytes. */
    assert_error(ISharedRegion_ReadString(r, 200, vnum(4), vstr(L"utf-16"), &out), SR_E_BADENCODING, L"ReadString");
    ASSERT_DESCRIPTION(L"ReadString: the 4 bytes at offset 200 are not valid utf-16 (an unpaired surrogate U+D83D at "
                       L"offset 202)");
    assert_int_equal(ISharedRegion_ReadString(r, 200, missing(), vstr(L"utf-16"), &out), S_OK);
    assert_wstr_equal(out, L"a\xd83d\xde00");
    SysFreeString(out);
    out = NULL;
    assert_error(ISharedRegion_ReadString(r, 300, missing(), vstr(L"utf-16"), &out), SR_E_BADENCODING, L"ReadString");
    ASSERT_DESCRIPTION(L"ReadString: the 4 bytes at offset 300 are not valid utf-16 (an unpaired surrogate U+DC00 at "
                       L"offset 300)");
    /* A surrogate alone in the text: refused on write, nothing written. */
    out = SysAllocString(L"x\xd800");
    assert_error(ISharedRegion_WriteString(r, 300, out, vstr(L"utf-16"), missing(), &n), SR_E_BADENCODING,
                 L"WriteString");
    ASSERT_DESCRIPTION(L"WriteString: the text has an unpaired surrogate (U+D800 at position 1) and cannot be written "
                       L"as utf-16");
    SysFreeString(out);
    read_expect(r, 300, lone, sizeof(lone));

    /* Pack cuts a text field at a character boundary, so Unpack takes what Pack wrote. */
    fmt = SysAllocString(L"2s");
    vals[0] = vstr(L"a\x00e9");
    arr = variant_array(1, vals);
    assert_int_equal(ISharedRegion_Pack(r, 400, fmt, arr, missing(), &n), S_OK);
    EXPECT_BYTES(r, 400, __LINE__, 'a', 0);
    assert_int_equal(ISharedRegion_Unpack(r, 400, fmt, missing(), &res), S_OK);
    SafeArrayAccessData(V_ARRAY(&res), (void **)&items);
    assert_wstr_equal(V_BSTR(&items[0]), L"a");
    SafeArrayUnaccessData(V_ARRAY(&res));
    VariantClear(&res);
    VariantClear(&arr);
    SysFreeString(fmt);
    fmt = SysAllocString(L"<3s");
    vals[0] = vstr(L"ab");
    arr = variant_array(1, vals);
    assert_int_equal(ISharedRegion_Pack(r, 410, fmt, arr, vstr(L"utf-16"), &n), S_OK);
    EXPECT_BYTES(r, 410, __LINE__, 'a', 0, 0);
    assert_int_equal(ISharedRegion_Unpack(r, 410, fmt, vstr(L"utf-16"), &res), S_OK);
    SafeArrayAccessData(V_ARRAY(&res), (void **)&items);
    assert_wstr_equal(V_BSTR(&items[0]), L"a");
    SafeArrayUnaccessData(V_ARRAY(&res));
    VariantClear(&res);
    VariantClear(&arr);
    /* A field whose odd last byte is not zero holds an odd byte count. */
    write_bytes(r, 420, "a\0b", 3);
    assert_error(ISharedRegion_Unpack(r, 420, fmt, vstr(L"utf-16"), &res), SR_E_BADENCODING, L"Unpack");
    ASSERT_DESCRIPTION(L"Unpack: field 0 ('3s'): the 3 bytes at byte 0 of the struct are not valid utf-16");
    SysFreeString(fmt);
    ISharedRegion_Release(r);
}

static void test_code_pages_that_cannot_be_checked_are_refused_by_the_members(void **state)
{
    ISharedRegion *r = create_region(L"", SMALL);
    BSTR out = NULL, text = SysAllocString(L"abc");
    LONG n = 7;

    write_bytes(r, 0, "\x80\xff", 3);
    /* UTF-7 bytes are 7-bit: 0x80 0xFF are not UTF-7, which the system's conversion read as U+0080 U+00FF. */
    assert_error(ISharedRegion_ReadString(r, 0, missing(), vstr(L"cp65000"), &out), E_INVALIDARG, L"ReadString");
    ASSERT_DESCRIPTION(L"ReadString: encoding 'cp65000': code page 65000 cannot be used: the system converts it without "
                       L"reporting invalid bytes, which would be read as text (UTF-7, ISO-2022, HZ, ISCII and Symbol "
                       L"code pages are refused)");
    assert_null(out);
    assert_error(ISharedRegion_WriteString(r, 0, text, vstr(L"cp52936"), missing(), &n), E_INVALIDARG, L"WriteString");
    assert_int_equal(n, 0);
    read_expect(r, 0, "\x80\xff", 3);
    SysFreeString(text);
    ISharedRegion_Release(r);
}

/* The server's import of SafeArrayLock, replaced for one call: the stand-in first does what a ReDim on
 * another thread could do just then (the array shrinks to 4 bytes), and then locks. */
static HRESULT (WINAPI *real_safearray_lock)(SAFEARRAY *);
static HRESULT WINAPI shrinking_lock(SAFEARRAY *sa)
{
    if (sa->rgsabound[0].cElements > 4) sa->rgsabound[0].cElements = 4;
    return real_safearray_lock(sa);
}

/* The import address table slot through which `module` calls `target` in `dll`; NULL when there is none. */
static void **import_slot(HMODULE module, const char *dll, void *target)
{
    BYTE *base = (BYTE *)module;
    IMAGE_NT_HEADERS *nt = (IMAGE_NT_HEADERS *)(base + ((IMAGE_DOS_HEADER *)base)->e_lfanew);
    IMAGE_DATA_DIRECTORY *dir = &nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT];
    IMAGE_IMPORT_DESCRIPTOR *imp;
    IMAGE_THUNK_DATA *thunk;

    if (!dir->Size) return NULL;
    for (imp = (IMAGE_IMPORT_DESCRIPTOR *)(base + dir->VirtualAddress); imp->Name; imp++)
    {
        if (_stricmp((const char *)base + imp->Name, dll)) continue;
        for (thunk = (IMAGE_THUNK_DATA *)(base + imp->FirstThunk); thunk->u1.Function; thunk++)
            if ((void *)(ULONG_PTR)thunk->u1.Function == target) return (void **)&thunk->u1.Function;
    }
    return NULL;
}

static void set_import(void **slot, void *value)
{
    DWORD old;
    assert_true(VirtualProtect(slot, sizeof(*slot), PAGE_READWRITE, &old));
    *slot = value;
    VirtualProtect(slot, sizeof(*slot), old, &old);
}

static void test_read_into_locks_the_buffer_before_reading_its_size(void **state)
{
    static const BYTE data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    ISharedRegion *r = create_region(L"", SMALL);
    SAFEARRAY *sa = SafeArrayCreateVector(VT_UI1, 0, 8);
    VARIANT byref;
    void **slot;
    BYTE *p;
    LONG n = -1;
    HRESULT hr;

    write_bytes(r, 0, data, sizeof(data));
    real_safearray_lock = (void *)GetProcAddress(GetModuleHandleW(L"oleaut32.dll"), "SafeArrayLock");
    slot = import_slot(GetModuleHandleW(L"sharedregion.dll"), "oleaut32.dll", (void *)real_safearray_lock);
    if (!slot) fail_msg("sharedregion.dll does not import SafeArrayLock from oleaut32.dll");
    V_VT(&byref) = VT_BYREF | VT_ARRAY | VT_UI1;
    V_ARRAYREF(&byref) = &sa;
    set_import(slot, (void *)shrinking_lock);
    hr = ISharedRegion_ReadInto(r, 0, byref, &n);
    set_import(slot, (void *)real_safearray_lock);
    assert_int_equal(hr, S_OK);
    /* The size at the lock, which the copy then holds to: 4 bytes filled, the 4 past the array's end as
     * they were (a size read before the lock filled 8). */
    assert_int_equal(n, 4);
    SafeArrayAccessData(sa, (void **)&p);
    assert_memory_equal(p, data, 4);
    assert_memory_equal(p + 4, "\0\0\0\0", 4);
    SafeArrayUnaccessData(sa);
    assert_int_equal(sa->cLocks, 0);
    SafeArrayDestroy(sa);
    ISharedRegion_Release(r);
}

static void test_write_int32_and_write_byte_refuse_fractions_and_numbers_out_of_range(void **state)
{
    static const struct { const WCHAR *method; double value; const WCHAR *text; } bad[] =
    {
        { L"WriteInt32", 2.5, L"WriteInt32: value 2.5 is not a whole number; Int32 takes whole numbers from -2147483648 "
                              L"to 2147483647" },
        { L"WriteInt32", 3.5, L"WriteInt32: value 3.5 is not a whole number; Int32 takes whole numbers from -2147483648 "
                              L"to 2147483647" },
        { L"WriteInt32", 3000000000.0, L"WriteInt32: value 3000000000 is out of range; Int32 takes -2147483648 to "
                                       L"2147483647" },
        { L"WriteInt32", -2147483649.0, L"WriteInt32: value -2147483649 is out of range; Int32 takes -2147483648 to "
                                        L"2147483647" },
        { L"WriteByte", 2.5, L"WriteByte: value 2.5 is not a whole number; UInt8 takes whole numbers from 0 to 255" },
        { L"WriteByte", 256, L"WriteByte: value 256 is out of range; UInt8 takes 0 to 255" },
        { L"WriteByte", -1, L"WriteByte: value -1 is out of range; UInt8 takes 0 to 255" },
    };
    static const BYTE before[4] = { 0xa1, 0xa2, 0xa3, 0xa4 };
    struct target t;
    unsigned int i, k;
    VARIANT res;

    target_open(&t);
    for (k = 0; k < 2; k++)
    {
        ISharedData *d = t.data[k];
        double b = t.base[k];
        write_bytes(t.region, b + 16, before, 4);
        for (i = 0; i < ARRAY_SIZE(bad); i++)
        {
            BOOL byte = !wcscmp(bad[i].method, L"WriteByte");
            HRESULT hr = byte ? ISharedData_WriteByte(d, 16, bad[i].value) : ISharedData_WriteInt32(d, 16, bad[i].value);
            assert_error(hr, E_INVALIDARG, bad[i].method);
            ASSERT_DESCRIPTION(bad[i].text);
            /* IDispatch, by the fast path (a Double) and through the type library (a String, a Single). */
            assert_disp_error(disp_method(d, bad[i].method, NULL, 2, vnum(16), vnum(bad[i].value)), E_INVALIDARG,
                              bad[i].method);
            assert_wstr_equal(disp_description, bad[i].text);
            {
                WCHAR num[32];
                swprintf(num, ARRAY_SIZE(num), L"%.17g", bad[i].value);
                assert_disp_error(disp_method(d, bad[i].method, NULL, 2, vnum(16), vstr(num)), E_INVALIDARG,
                                  bad[i].method);
                assert_wstr_equal(disp_description, bad[i].text);
            }
            read_expect(t.region, b + 16, before, 4);
        }
        /* The extremes are written. */
        assert_int_equal(ISharedData_WriteInt32(d, 16, -2147483648.0), S_OK);
        EXPECT_BYTES(t.region, b + 16, __LINE__, 0, 0, 0, 0x80);
        assert_int_equal(disp_method(d, L"WriteInt32", NULL, 2, vnum(16), vnum(2147483647.0)), S_OK);
        EXPECT_BYTES(t.region, b + 16, __LINE__, 0xff, 0xff, 0xff, 0x7f);
        assert_int_equal(ISharedData_WriteByte(d, 16, 0), S_OK);
        assert_int_equal(disp_method(d, L"WriteByte", NULL, 2, vnum(17), vi4(255)), S_OK);
        EXPECT_BYTES(t.region, b + 16, __LINE__, 0, 0xff, 0xff, 0x7f);
        assert_int_equal(disp_method(d, L"ReadInt32", &res, 1, vnum(16)), S_OK);
        ASSERT_NUMBER(&res, VT_I4, L"2147483392");
    }
    target_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typed_extremes_round_trip_on_regions_and_views),
        cmocka_unit_test(test_range_errors_name_the_method_the_value_and_the_range),
        cmocka_unit_test(test_int64_decimal_in_and_out),
        cmocka_unit_test(test_single_rounds_to_even_and_keeps_nan_and_infinity),
        cmocka_unit_test(test_read_array_returns_a_zero_based_variant_array),
        cmocka_unit_test(test_datatype_numbers_are_vartypes_and_names_are_accepted),
        cmocka_unit_test(test_write_array_from_variant_and_typed_arrays_writes_all_or_nothing),
        cmocka_unit_test(test_read_into_fills_the_callers_array_in_place),
        cmocka_unit_test(test_pack_unpack_and_calcsize),
        cmocka_unit_test(test_strings_in_code_pages),
        cmocka_unit_test(test_values_straddling_the_64mib_window_edge),
        cmocka_unit_test(test_write_bytes_checks_signed_byte_arrays),
        cmocka_unit_test(test_references_are_followed_one_level_on_the_vtable),
        cmocka_unit_test(test_new_members_through_idispatch_on_regions_and_views),
        cmocka_unit_test(test_fast_path_behaves_like_itypeinfo_invoke),
        cmocka_unit_test(test_regions_and_views_are_isharreddata),
        cmocka_unit_test(test_objects_as_arguments_keep_no_reference),
        cmocka_unit_test(test_format_with_a_nul_is_refused),
        cmocka_unit_test(test_utf16_is_strict_through_the_members),
        cmocka_unit_test(test_code_pages_that_cannot_be_checked_are_refused_by_the_members),
        cmocka_unit_test(test_write_int32_and_write_byte_refuse_fractions_and_numbers_out_of_range),
        cmocka_unit_test(test_read_into_locks_the_buffer_before_reading_its_size),
        cmocka_unit_test(test_huge_arrays_are_refused_before_they_are_read_or_made),
    };
    return cmocka_run_group_tests(tests, com_setup, com_teardown);
}
