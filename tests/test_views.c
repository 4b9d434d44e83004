/*
 * SharedRegion tests: views (MapView, ISharedView, ISharedViewMemory) and the typed accessors.
 */
#include "common.h"

static ISharedView *map_view(ISharedRegion *r, double offset, double size, int access)
{
    ISharedView *v = NULL;
    HRESULT hr = ISharedRegion_MapView(r, offset, size, access < 0 ? missing() : vnum(access), &v);
    assert_int_equal(hr, S_OK);
    assert_non_null(v);
    return v;
}

static void view_read_expect(ISharedView *v, double offset, const void *bytes, ULONG n)
{
    VARIANT d;
    assert_int_equal(ISharedView_ReadBytes(v, offset, n, &d), S_OK);
    assert_bytes(&d, bytes, n);
    VariantClear(&d);
}

static void test_view_at_unaligned_offset(void **state)
{
    ISharedRegion *r = create_region(L"", 256 * 1024);
    static const BYTE data[] = { 0x11, 0x22, 0x33, 0x44 };
    ISharedView *v = map_view(r, 70001, 100, -1);
    VARIANT d = byte_array(data, 4);
    double off, size;
    RegionAccess acc;

    assert_int_equal(ISharedView_get_Offset(v, &off), S_OK);
    assert_true(off == 70001);
    assert_int_equal(ISharedView_get_Size(v, &size), S_OK);
    assert_true(size == 100);
    assert_int_equal(ISharedView_get_Access(v, &acc), S_OK);
    assert_int_equal(acc, RegionReadWrite);
    /* View offset 0 is region offset 70001: the alignment slack is invisible. */
    assert_int_equal(ISharedView_WriteBytes(v, 0, d), S_OK);
    read_expect(r, 70001, data, 4);
    write_bytes(r, 70001 + 96, data, 4);
    view_read_expect(v, 96, data, 4);
    VariantClear(&d);
    ISharedView_Release(v);
    ISharedRegion_Release(r);
}

static void test_view_size_zero_maps_to_the_end(void **state)
{
    ISharedRegion *r = create_region(L"", 10000);
    ISharedView *v = map_view(r, 1234, 0, -1);
    double size;

    assert_int_equal(ISharedView_get_Size(v, &size), S_OK);
    assert_true(size == 10000 - 1234);
    ISharedView_Release(v);
    ISharedRegion_Release(r);
}

static void test_view_outlives_region(void **state)
{
    const WCHAR *name = unique_name(L"outlive");
    ISharedRegion *r = create_region(name, 65536), *again;
    static const BYTE data[] = { 'k', 'e', 'p', 't' };
    ISharedView *v = map_view(r, 4096, 4096, -1);
    VARIANT d = byte_array(data, 4);
    LONG i = 0;

    assert_int_equal(ISharedRegion_Close(r), S_OK);
    ISharedRegion_Release(r);
    /* Rule 1: the view still reads and writes; the section (and its name) lives on. */
    assert_int_equal(ISharedView_WriteBytes(v, 10, d), S_OK);
    view_read_expect(v, 10, data, 4);
    assert_int_equal(ISharedView_WriteInt32(v, 100, 987654), S_OK);
    assert_true(section_exists(name));
    again = new_region();
    assert_int_equal(open_region(again, name, -1), S_OK);
    read_expect(again, 4096 + 10, data, 4);
    assert_int_equal(ISharedRegion_ReadInt32(again, 4096 + 100, &i), S_OK);
    assert_int_equal(i, 987654);
    ISharedRegion_Release(again);
    VariantClear(&d);
    ISharedView_Release(v);
    assert_false(section_exists(name));
}

static void test_view_memory_is_the_zero_copy_path(void **state)
{
    ISharedRegion *r = create_region(L"", 1 << 20);
    ISharedView *v = map_view(r, 3, 1000, -1);
    ISharedViewMemory *mem;
    static const BYTE data[] = { 5, 6, 7, 8 };
    SIZE_T size = 0;
    BYTE *p = NULL;

    assert_int_equal(ISharedView_QueryInterface(v, &IID_ISharedViewMemory, (void **)&mem), S_OK);
    assert_int_equal(ISharedViewMemory_GetAddress(mem, (void **)&p, &size), S_OK);
    assert_non_null(p);
    assert_int_equal(size, 1000);
    memcpy(p + 500, data, 4);
    read_expect(r, 503, data, 4);
    write_bytes(r, 3, data, 4);
    assert_memory_equal(p, data, 4);
    assert_true(is_mapped(p));
    assert_int_equal(ISharedViewMemory_GetAddress(mem, NULL, &size), E_POINTER);
    /* Unmap: the address is gone and GetAddress says so. */
    assert_int_equal(ISharedView_Unmap(v), S_OK);
    assert_false(is_mapped(p));
    assert_error(ISharedViewMemory_GetAddress(mem, (void **)&p, &size), SR_E_NOTMAPPED, L"GetAddress");
    assert_null(p);
    ISharedViewMemory_Release(mem);
    ISharedView_Release(v);
    ISharedRegion_Release(r);
}

static void test_unmapped_view_fails_data_calls(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    ISharedView *v = map_view(r, 0, 4096, -1);
    VARIANT_BOOL mapped;
    VARIANT d;
    LONG i;

    assert_int_equal(ISharedView_get_IsMapped(v, &mapped), S_OK);
    assert_int_equal(mapped, VARIANT_TRUE);
    assert_int_equal(ISharedView_Unmap(v), S_OK);
    assert_int_equal(ISharedView_Unmap(v), S_OK);
    assert_int_equal(ISharedView_get_IsMapped(v, &mapped), S_OK);
    assert_int_equal(mapped, VARIANT_FALSE);
    assert_error(ISharedView_ReadBytes(v, 0, 1, &d), SR_E_NOTMAPPED, L"ReadBytes");
    assert_wstr_equal(last_description, L"ReadBytes: the view is not mapped (Unmap was called)");
    assert_error(ISharedView_WriteInt32(v, 0, 1), SR_E_NOTMAPPED, L"WriteInt32");
    assert_error(ISharedView_ReadInt32(v, 0, &i), SR_E_NOTMAPPED, L"ReadInt32");
    assert_error(ISharedView_Flush(v, missing(), missing()), SR_E_NOTMAPPED, L"Flush");
    ISharedView_Release(v);
    ISharedRegion_Release(r);
}

static void test_view_bounds_are_its_own(void **state)
{
    ISharedRegion *r = create_region(L"", 8192);
    ISharedView *v = map_view(r, 100, 50, -1), *bad = (ISharedView *)1;
    VARIANT d;

    assert_error(ISharedView_ReadBytes(v, 40, 11, &d), E_INVALIDARG, L"ReadBytes");
    assert_wstr_equal(last_description, L"ReadBytes: offset 40 + count 11 is past the end of the view (50 bytes)");
    assert_error(ISharedRegion_MapView(r, 8192, 1, missing(), &bad), E_INVALIDARG, L"MapView");
    assert_null(bad);
    assert_error(ISharedRegion_MapView(r, 8000, 193, missing(), &bad), E_INVALIDARG, L"MapView");
    assert_error(ISharedRegion_MapView(r, -1, 1, missing(), &bad), E_INVALIDARG, L"MapView");
    assert_error(ISharedRegion_MapView(r, 0, 1, vnum(3), &bad), E_INVALIDARG, L"MapView");
    ISharedView_Release(v);
    ISharedRegion_Release(r);
}

static void test_typed_accessors_are_little_endian_at_any_offset(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    static const BYTE le[] = { 0x78, 0x56, 0x34, 0x12 };
    static const BYTE filled[] = { 0xab, 0xab, 0xab, 0xab, 0xab, 0 };
    double dv = 0;
    LONG iv = 0;
    BYTE bv = 0;

    assert_int_equal(ISharedRegion_WriteInt32(r, 1001, 0x12345678), S_OK);
    read_expect(r, 1001, le, 4);
    assert_int_equal(ISharedRegion_ReadInt32(r, 1001, &iv), S_OK);
    assert_int_equal(iv, 0x12345678);
    assert_int_equal(ISharedRegion_WriteInt32(r, 4092, -2), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(r, 4092, &iv), S_OK);
    assert_int_equal(iv, -2);
    assert_error(ISharedRegion_ReadInt32(r, 4093, &iv), E_INVALIDARG, L"ReadInt32");
    assert_int_equal(ISharedRegion_WriteDouble(r, 2003, -1.0e300), S_OK);
    assert_int_equal(ISharedRegion_ReadDouble(r, 2003, &dv), S_OK);
    assert_true(dv == -1.0e300);
    assert_int_equal(ISharedRegion_WriteByte(r, 4095, 255), S_OK);
    assert_int_equal(ISharedRegion_ReadByte(r, 4095, &bv), S_OK);
    assert_int_equal(bv, 255);
    assert_error(ISharedRegion_WriteByte(r, 4095, 256), E_INVALIDARG, L"WriteByte");
    assert_int_equal(ISharedRegion_Fill(r, 3000, 5, 0xab), S_OK);
    read_expect(r, 3000, filled, 6);
    ISharedRegion_Release(r);
}

static void test_view_typed_accessors_and_fill(void **state)
{
    ISharedRegion *r = create_region(L"", 65536 * 2);
    ISharedView *v = map_view(r, 65535, 10, -1);
    static const BYTE le[] = { 0x78, 0x56, 0x34, 0x12 };
    static const BYTE seven[] = { 7, 7, 7 };
    double dv;
    LONG iv;
    BYTE bv;

    /* Straddles the 64 KiB allocation-granularity boundary of the region. */
    assert_int_equal(ISharedView_WriteInt32(v, 0, 0x12345678), S_OK);
    read_expect(r, 65535, le, 4);
    assert_int_equal(ISharedView_ReadInt32(v, 0, &iv), S_OK);
    assert_int_equal(iv, 0x12345678);
    assert_int_equal(ISharedView_WriteDouble(v, 2, 0.5), S_OK);
    assert_int_equal(ISharedView_ReadDouble(v, 2, &dv), S_OK);
    assert_true(dv == 0.5);
    assert_int_equal(ISharedView_WriteByte(v, 9, 9), S_OK);
    assert_int_equal(ISharedView_ReadByte(v, 9, &bv), S_OK);
    assert_int_equal(bv, 9);
    assert_error(ISharedView_ReadDouble(v, 3, &dv), E_INVALIDARG, L"ReadDouble");
    assert_int_equal(ISharedView_Fill(v, 7, 3, 7), S_OK);
    read_expect(r, 65535 + 7, seven, 3);
    ISharedView_Release(v);
    ISharedRegion_Release(r);
}

static void test_view_strings(void **state)
{
    ISharedRegion *r = create_region(L"", 8192);
    ISharedView *v = map_view(r, 5000, 100, -1);
    BSTR s = SysAllocString(L"in a view"), out;
    LONG n;

    assert_int_equal(ISharedView_WriteString(v, 1, s, missing(), missing(), &n), S_OK);
    assert_int_equal(n, 10);
    assert_int_equal(ISharedRegion_ReadString(r, 5001, missing(), missing(), &out), S_OK);
    assert_wstr_equal(out, L"in a view");
    SysFreeString(out);
    assert_int_equal(ISharedView_ReadString(v, 1, vnum(4), missing(), &out), S_OK);
    assert_wstr_equal(out, L"in a");
    SysFreeString(out);
    assert_int_equal(ISharedView_WriteString(v, 50, s, vstr(L"utf-16"), missing(), &n), S_OK);
    assert_int_equal(n, 20);
    assert_int_equal(ISharedView_ReadString(v, 50, missing(), vstr(L"utf-16"), &out), S_OK);
    assert_wstr_equal(out, L"in a view");
    SysFreeString(out);
    /* Too long for the view: nothing is written. */
    assert_error(ISharedView_WriteString(v, 95, s, missing(), missing(), &n), E_INVALIDARG, L"WriteString");
    assert_int_equal(n, 0);
    SysFreeString(s);
    ISharedView_Release(v);
    ISharedRegion_Release(r);
}

static void test_read_only_view_refuses_writes(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    ISharedView *v = map_view(r, 0, 4096, RegionReadOnly);
    static const BYTE zero[] = { 0 };
    BSTR s = SysAllocString(L"x");
    LONG n;

    assert_error(ISharedView_WriteInt32(v, 0, 1), E_ACCESSDENIED, L"WriteInt32");
    assert_wstr_equal(last_description, L"WriteInt32: the view is read-only");
    assert_error(ISharedView_WriteString(v, 0, s, missing(), missing(), &n), E_ACCESSDENIED, L"WriteString");
    assert_error(ISharedView_Fill(v, 0, 1, 1), E_ACCESSDENIED, L"Fill");
    read_expect(r, 0, zero, 1);
    SysFreeString(s);
    ISharedView_Release(v);
    ISharedRegion_Release(r);
}

static void test_read_only_region_cannot_give_a_writable_view(void **state)
{
    const WCHAR *name = unique_name(L"roview");
    ISharedRegion *a = create_region(name, 4096), *b = new_region();
    ISharedView *v = (ISharedView *)1;
    RegionAccess acc;

    assert_int_equal(open_region(b, name, RegionReadOnly), S_OK);
    assert_error(ISharedRegion_MapView(b, 0, 10, vnum(RegionReadWrite), &v), E_ACCESSDENIED, L"MapView");
    assert_null(v);
    /* Left out, the access is the region's. */
    v = map_view(b, 0, 10, -1);
    assert_int_equal(ISharedView_get_Access(v, &acc), S_OK);
    assert_int_equal(acc, RegionReadOnly);
    ISharedView_Release(v);
    ISharedRegion_Release(a);
    ISharedRegion_Release(b);
}

static void test_copy_on_write_view_is_private(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    ISharedView *v = map_view(r, 0, 4096, RegionCopyOnWrite);
    static const BYTE zero[] = { 0, 0, 0, 0 };
    LONG i = 0;

    assert_int_equal(ISharedView_WriteInt32(v, 8, 42), S_OK);
    assert_int_equal(ISharedView_ReadInt32(v, 8, &i), S_OK);
    assert_int_equal(i, 42);
    read_expect(r, 8, zero, 4);
    ISharedView_Release(v);
    ISharedRegion_Release(r);
}

static void test_view_region_property(void **state)
{
    ISharedRegion *r = create_region(L"", 4096), *back = NULL;
    ISharedView *v = map_view(r, 0, 16, -1);

    assert_int_equal(ISharedView_get_Region(v, &back), S_OK);
    assert_ptr_equal(back, r);
    ISharedRegion_Release(back);
    ISharedView_Release(v);
    ISharedRegion_Release(r);
}

static void test_view_through_dispatch(void **state)
{
    ISharedRegion *r = create_region(L"", 65536);
    VARIANT res, arr;
    IDispatch *v;
    static const BYTE data[] = { 1, 2, 3 };

    assert_int_equal(disp_method(r, L"MapView", &res, 2, vnum(1000), vnum(100)), S_OK);
    assert_int_equal(V_VT(&res), VT_DISPATCH);
    v = V_DISPATCH(&res);
    assert_int_equal(disp_get(v, L"Offset", &res), S_OK);
    assert_true(V_R8(&res) == 1000);
    assert_int_equal(disp_get(v, L"Size", &res), S_OK);
    assert_true(V_R8(&res) == 100);
    assert_int_equal(disp_method(v, L"WriteInt32", NULL, 2, vnum(4), vnum(-7)), S_OK);
    assert_int_equal(disp_method(v, L"ReadInt32", &res, 1, vnum(4)), S_OK);
    assert_int_equal(V_VT(&res), VT_I4);
    assert_int_equal(V_I4(&res), -7);
    arr = byte_array(data, 3);
    assert_int_equal(disp_method(v, L"WriteBytes", NULL, 2, vnum(97), arr), S_OK);
    VariantClear(&arr);
    read_expect(r, 1097, data, 3);
    assert_int_equal(disp_method(v, L"ReadBytes", &res, 2, vnum(97), vnum(3)), S_OK);
    assert_bytes(&res, data, 3);
    VariantClear(&res);
    assert_int_equal(disp_method(v, L"Fill", NULL, 3, vnum(0), vnum(4), vnum(9)), S_OK);
    assert_int_equal(disp_method(v, L"ReadByte", &res, 1, vnum(3)), S_OK);
    assert_int_equal(V_VT(&res), VT_UI1);
    assert_int_equal(V_UI1(&res), 9);
    assert_int_equal(disp_method(v, L"Flush", NULL, 0), S_OK);
    assert_disp_error(disp_method(v, L"ReadBytes", &res, 2, vnum(99), vnum(2)), E_INVALIDARG, L"ReadBytes");
    assert_int_equal(disp_method(v, L"Unmap", NULL, 0), S_OK);
    assert_int_equal(disp_get(v, L"IsMapped", &res), S_OK);
    assert_int_equal(V_BOOL(&res), VARIANT_FALSE);
    assert_disp_error(disp_method(v, L"ReadInt32", &res, 1, vnum(0)), SR_E_NOTMAPPED, L"ReadInt32");
    IDispatch_Release(v);
    ISharedRegion_Release(r);
}

static void test_many_views_of_one_region(void **state)
{
    ISharedRegion *r = create_region(L"", 1 << 20);
    ISharedView *v[32];
    unsigned int before, after, i;
    LONG x;

    mapped_bytes(&before);
    for (i = 0; i < 32; i++)
    {
        v[i] = map_view(r, i * 32768 + 7, 100, -1);
        assert_int_equal(ISharedView_WriteInt32(v[i], 0, (LONG)i * 3), S_OK);
    }
    mapped_bytes(&after);
    assert_int_equal(after, before + 32);
    for (i = 0; i < 32; i++)
    {
        assert_int_equal(ISharedRegion_ReadInt32(r, i * 32768 + 7, &x), S_OK);
        assert_int_equal(x, (LONG)i * 3);
        ISharedView_Release(v[i]);
    }
    mapped_bytes(&after);
    assert_int_equal(after, before);
    ISharedRegion_Release(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_at_unaligned_offset),
        cmocka_unit_test(test_view_size_zero_maps_to_the_end),
        cmocka_unit_test(test_view_outlives_region),
        cmocka_unit_test(test_view_memory_is_the_zero_copy_path),
        cmocka_unit_test(test_unmapped_view_fails_data_calls),
        cmocka_unit_test(test_view_bounds_are_its_own),
        cmocka_unit_test(test_typed_accessors_are_little_endian_at_any_offset),
        cmocka_unit_test(test_view_typed_accessors_and_fill),
        cmocka_unit_test(test_view_strings),
        cmocka_unit_test(test_read_only_view_refuses_writes),
        cmocka_unit_test(test_read_only_region_cannot_give_a_writable_view),
        cmocka_unit_test(test_copy_on_write_view_is_private),
        cmocka_unit_test(test_view_region_property),
        cmocka_unit_test(test_view_through_dispatch),
        cmocka_unit_test(test_many_views_of_one_region),
    };
    return cmocka_run_group_tests_name("views", tests, com_setup, com_teardown);
}
