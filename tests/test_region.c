/*
 * SharedRegion tests: the region object: binding calls, properties, bytes and strings,
 * errors with their exact HRESULTs and descriptions, through the vtable and IDispatch.
 */
#include "common.h"

static void test_create_sets_properties(void **state)
{
    const WCHAR *name = unique_name(L"props");
    WCHAR full[300];
    ISharedRegion *r = create_region(name, 65536);
    VARIANT_BOOL b;
    RegionAccess acc;
    double size;
    BSTR s;

    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    assert_int_equal(ISharedRegion_get_Name(r, &s), S_OK);
    assert_wstr_equal(s, full);
    SysFreeString(s);
    assert_int_equal(ISharedRegion_get_Size(r, &size), S_OK);
    assert_true(size == 65536);
    assert_int_equal(ISharedRegion_get_IsOpen(r, &b), S_OK);
    assert_int_equal(b, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_get_Created(r, &b), S_OK);
    assert_int_equal(b, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_get_Access(r, &acc), S_OK);
    assert_int_equal(acc, RegionReadWrite);
    assert_int_equal(ISharedRegion_get_FilePath(r, &s), S_OK);
    assert_wstr_equal(s, L"");
    SysFreeString(s);
    assert_true(section_exists(name));
    ISharedRegion_Release(r);
}

static void test_new_object_is_closed(void **state)
{
    ISharedRegion *r = new_region();
    VARIANT_BOOL b = VARIANT_TRUE;
    VARIANT v;
    double size = -1;

    assert_int_equal(ISharedRegion_get_IsOpen(r, &b), S_OK);
    assert_int_equal(b, VARIANT_FALSE);
    assert_int_equal(ISharedRegion_get_Size(r, &size), S_OK);
    assert_true(size == 0);
    assert_error(ISharedRegion_ReadBytes(r, 0, 1, &v), SR_E_NOTOPEN, L"ReadBytes");
    assert_wstr_equal(last_description,
                      L"ReadBytes: the region is not open (call Create, Open, OpenOrCreate or OpenFile first)");
    ISharedRegion_Release(r);
}

static void test_create_existing_name_fails(void **state)
{
    const WCHAR *name = unique_name(L"exists");
    ISharedRegion *a = create_region(name, 4096), *b = new_region();
    BSTR n = SysAllocString(name);

    assert_error(ISharedRegion_Create(b, n, 4096, missing()), HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"Create");
    assert_non_null(wcsstr(last_description, name));
    SysFreeString(n);
    ISharedRegion_Release(b);
    ISharedRegion_Release(a);
}

static void test_open_missing_name_fails(void **state)
{
    ISharedRegion *r = new_region();
    assert_error(open_region(r, unique_name(L"missing"), -1), HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), L"Open");
    ISharedRegion_Release(r);
}

static void test_two_objects_see_each_others_writes(void **state)
{
    const WCHAR *name = unique_name(L"share");
    ISharedRegion *a = create_region(name, 8192), *b = new_region();
    static const BYTE ab[] = { 1, 2, 3, 4, 5 }, ba[] = { 0xfe, 0xed, 0xfa, 0xce };
    VARIANT_BOOL created = VARIANT_TRUE;

    assert_int_equal(open_region(b, name, -1), S_OK);
    assert_int_equal(ISharedRegion_get_Created(b, &created), S_OK);
    assert_int_equal(created, VARIANT_FALSE);
    write_bytes(a, 100, ab, sizeof(ab));
    read_expect(b, 100, ab, sizeof(ab));
    write_bytes(b, 8188, ba, sizeof(ba));
    read_expect(a, 8188, ba, sizeof(ba));
    ISharedRegion_Release(a);
    ISharedRegion_Release(b);
}

static void test_open_reports_page_rounded_size(void **state)
{
    const WCHAR *name = unique_name(L"rounded");
    ISharedRegion *a = create_region(name, 1000), *b = new_region();
    double size;

    assert_int_equal(ISharedRegion_get_Size(a, &size), S_OK);
    assert_true(size == 1000);
    assert_int_equal(open_region(b, name, -1), S_OK);
    assert_int_equal(ISharedRegion_get_Size(b, &size), S_OK);
    assert_true(size == 4096);
    ISharedRegion_Release(a);
    ISharedRegion_Release(b);
}

static void test_open_or_create_says_who_created(void **state)
{
    const WCHAR *name = unique_name(L"ooc");
    ISharedRegion *a = new_region(), *b = new_region();
    BSTR n = SysAllocString(name);
    VARIANT_BOOL created;

    assert_int_equal(ISharedRegion_OpenOrCreate(a, n, 4096, missing(), &created), S_OK);
    assert_int_equal(created, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_OpenOrCreate(b, n, 4096, missing(), &created), S_OK);
    assert_int_equal(created, VARIANT_FALSE);
    assert_int_equal(ISharedRegion_WriteInt32(a, 0, 0x12345678), S_OK);
    {
        LONG v = 0;
        assert_int_equal(ISharedRegion_ReadInt32(b, 0, &v), S_OK);
        assert_int_equal(v, 0x12345678);
    }
    SysFreeString(n);
    ISharedRegion_Release(a);
    ISharedRegion_Release(b);
}

static void test_anonymous_region(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    static const BYTE data[] = { 9, 8, 7 };
    BSTR s;

    assert_int_equal(ISharedRegion_get_Name(r, &s), S_OK);
    assert_wstr_equal(s, L"");
    SysFreeString(s);
    write_bytes(r, 4093, data, 3);
    read_expect(r, 4093, data, 3);
    ISharedRegion_Release(r);
}

static void test_open_empty_name_fails(void **state)
{
    ISharedRegion *r = new_region();
    assert_error(open_region(r, L"", -1), E_INVALIDARG, L"Open");
    ISharedRegion_Release(r);
}

static void test_write_bytes_accepts_variant_array(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    static const BYTE expect[] = { 0, 1, 127, 255 };
    SAFEARRAY *sa = SafeArrayCreateVector(VT_VARIANT, 0, 4);
    VARIANT v, el;
    LONG i;

    for (i = 0; i < 4; i++)
    {
        V_VT(&el) = i % 2 ? VT_I2 : VT_R8; /* VBScript's Array() holds Integers and Doubles alike */
        if (i % 2) V_I2(&el) = expect[i];
        else V_R8(&el) = expect[i];
        SafeArrayPutElement(sa, &i, &el);
    }
    V_VT(&v) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(&v) = sa;
    assert_int_equal(ISharedRegion_WriteBytes(r, 10, v), S_OK);
    read_expect(r, 10, expect, 4);
    VariantClear(&v);
    ISharedRegion_Release(r);
}

static void test_write_bytes_bad_element_changes_nothing(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    static const BYTE zeros[3];
    SAFEARRAY *sa = SafeArrayCreateVector(VT_VARIANT, 0, 3);
    VARIANT v, el;
    LONG i;

    for (i = 0; i < 3; i++)
    {
        V_VT(&el) = VT_I4;
        V_I4(&el) = i == 2 ? 256 : 1;
        SafeArrayPutElement(sa, &i, &el);
    }
    V_VT(&v) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(&v) = sa;
    assert_error(ISharedRegion_WriteBytes(r, 0, v), E_INVALIDARG, L"WriteBytes");
    assert_wstr_equal(last_description, L"WriteBytes: element 2 of data is 256, not a whole number 0..255");
    read_expect(r, 0, zeros, 3);
    VariantClear(&v);
    /* Not an array at all. */
    v = vstr(L"abc");
    assert_error(ISharedRegion_WriteBytes(r, 0, v), DISP_E_TYPEMISMATCH, L"WriteBytes");
    VariantClear(&v);
    ISharedRegion_Release(r);
}

static void test_strings_utf8_and_utf16(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    static const BYTE utf8[] = { 'h', 0xc3, 0xa9, 'l', 'l', 'o', 0 };
    static const BYTE utf16[] = { 'h', 0, 0xe9, 0, 'y', 0, 0, 0 };
    BSTR text = SysAllocString(L"h\x00e9llo"), out;
    LONG n;

    assert_int_equal(ISharedRegion_WriteString(r, 0, text, missing(), missing(), &n), S_OK);
    assert_int_equal(n, 7);
    read_expect(r, 0, utf8, sizeof(utf8));
    assert_int_equal(ISharedRegion_ReadString(r, 0, missing(), missing(), &out), S_OK);
    assert_wstr_equal(out, L"h\x00e9llo");
    SysFreeString(out);
    /* maxBytes stops before the terminator. */
    assert_int_equal(ISharedRegion_ReadString(r, 0, vnum(3), missing(), &out), S_OK);
    assert_wstr_equal(out, L"h\x00e9");
    SysFreeString(out);
    SysFreeString(text);

    text = SysAllocString(L"h\x00e9y");
    assert_int_equal(ISharedRegion_WriteString(r, 100, text, vstr(L"utf-16"), missing(), &n), S_OK);
    assert_int_equal(n, 8);
    read_expect(r, 100, utf16, sizeof(utf16));
    assert_int_equal(ISharedRegion_ReadString(r, 100, missing(), vstr(L"UTF-16"), &out), S_OK);
    assert_wstr_equal(out, L"h\x00e9y");
    SysFreeString(out);
    /* terminate = False writes no NUL. */
    assert_int_equal(ISharedRegion_Fill(r, 200, 8, 0xaa), S_OK);
    assert_int_equal(ISharedRegion_WriteString(r, 200, text, missing(), vbool(FALSE), &n), S_OK);
    assert_int_equal(n, 4);
    {
        static const BYTE no_nul[] = { 'h', 0xc3, 0xa9, 'y', 0xaa }; /* the byte after is untouched */
        read_expect(r, 200, no_nul, sizeof(no_nul));
    }
    SysFreeString(text);
    assert_error(ISharedRegion_ReadString(r, 0, missing(), vstr(L"ebcdic"), &out), E_INVALIDARG, L"ReadString");
    ISharedRegion_Release(r);
}

static void test_read_string_invalid_utf8_is_an_error(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    static const BYTE bad[] = { 'a', 0xff, 0xfe, 'b', 0 };
    BSTR out = (BSTR)1;

    write_bytes(r, 0, bad, sizeof(bad));
    assert_error(ISharedRegion_ReadString(r, 0, missing(), missing(), &out), SR_E_BADENCODING, L"ReadString");
    assert_null(out);
    ISharedRegion_Release(r);
}

static void test_read_string_stops_at_region_end(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    static const BYTE tail[] = { 'e', 'n', 'd' };
    BSTR out;

    write_bytes(r, 4093, tail, 3);
    assert_int_equal(ISharedRegion_ReadString(r, 4093, missing(), missing(), &out), S_OK);
    assert_wstr_equal(out, L"end");
    SysFreeString(out);
    ISharedRegion_Release(r);
}

static void test_offset_and_count_past_end(void **state)
{
    ISharedRegion *r = create_region(L"", 65536);
    VARIANT v;

    assert_error(ISharedRegion_ReadBytes(r, 70000, 16, &v), E_INVALIDARG, L"ReadBytes");
    assert_wstr_equal(last_description,
                      L"ReadBytes: offset 70000 + count 16 is past the end of the region (65536 bytes)");
    assert_error(ISharedRegion_ReadBytes(r, 65530, 7, &v), E_INVALIDARG, L"ReadBytes");
    assert_wstr_equal(last_description,
                      L"ReadBytes: offset 65530 + count 7 is past the end of the region (65536 bytes)");
    /* Reading exactly to the end, and nothing at the end, are fine. */
    {
        static const BYTE tail[] = { 1, 2, 3, 4, 5, 6 };
        write_bytes(r, 65530, tail, sizeof(tail));
        assert_int_equal(ISharedRegion_ReadBytes(r, 65530, 6, &v), S_OK);
        assert_bytes(&v, tail, sizeof(tail));
    }
    VariantClear(&v);
    assert_int_equal(ISharedRegion_ReadBytes(r, 65536, 0, &v), S_OK);
    assert_bytes(&v, "", 0);
    VariantClear(&v);
    ISharedRegion_Release(r);
}

static void test_bad_numbers_are_rejected(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    const double nan = __builtin_nan(""), inf = __builtin_inf();
    VARIANT v;
    LONG i;

    assert_error(ISharedRegion_ReadBytes(r, -1, 1, &v), E_INVALIDARG, L"ReadBytes");
    assert_wstr_equal(last_description, L"ReadBytes: offset -1 is negative");
    assert_error(ISharedRegion_ReadBytes(r, nan, 1, &v), E_INVALIDARG, L"ReadBytes");
    assert_wstr_equal(last_description, L"ReadBytes: offset is NaN; it must be a whole number from 0 to 2^53");
    assert_error(ISharedRegion_ReadBytes(r, 1.5, 1, &v), E_INVALIDARG, L"ReadBytes");
    assert_wstr_equal(last_description, L"ReadBytes: offset 1.5 is not a whole number");
    assert_error(ISharedRegion_ReadBytes(r, 0, inf, &v), E_INVALIDARG, L"ReadBytes");
    assert_error(ISharedRegion_ReadBytes(r, 18014398509481984.0, 1, &v), E_INVALIDARG, L"ReadBytes");
    assert_error(ISharedRegion_ReadInt32(r, -4, &i), E_INVALIDARG, L"ReadInt32");
    assert_error(ISharedRegion_WriteInt32(r, 0.25, 1), E_INVALIDARG, L"WriteInt32");
    assert_error(ISharedRegion_Fill(r, 0, -1, 0), E_INVALIDARG, L"Fill");
    assert_error(ISharedRegion_Fill(r, 0, 1, 256), E_INVALIDARG, L"Fill");
    assert_error(ISharedRegion_WriteByte(r, 0, -1), E_INVALIDARG, L"WriteByte");
    ISharedRegion_Release(r);

    r = new_region();
    assert_error(ISharedRegion_Create(r, NULL, -4096, missing()), E_INVALIDARG, L"Create");
    assert_error(ISharedRegion_Create(r, NULL, 0, missing()), E_INVALIDARG, L"Create");
    assert_wstr_equal(last_description, L"Create: size must be at least 1 byte");
    assert_error(ISharedRegion_Create(r, NULL, nan, missing()), E_INVALIDARG, L"Create");
    ISharedRegion_Release(r);
}

static void test_closed_object_and_close_twice(void **state)
{
    ISharedRegion *r = create_region(unique_name(L"closed"), 4096);
    VARIANT_BOOL b;
    BSTR s;
    LONG n;

    assert_int_equal(ISharedRegion_Close(r), S_OK);
    assert_int_equal(ISharedRegion_Close(r), S_OK);
    assert_int_equal(ISharedRegion_get_IsOpen(r, &b), S_OK);
    assert_int_equal(b, VARIANT_FALSE);
    assert_int_equal(ISharedRegion_get_Name(r, &s), S_OK);
    assert_wstr_equal(s, L"");
    SysFreeString(s);
    assert_error(ISharedRegion_WriteInt32(r, 0, 1), SR_E_NOTOPEN, L"WriteInt32");
    s = SysAllocString(L"x");
    assert_error(ISharedRegion_WriteString(r, 0, s, missing(), missing(), &n), SR_E_NOTOPEN, L"WriteString");
    SysFreeString(s);
    /* A closed object can be bound again. */
    s = SysAllocString(L"");
    assert_int_equal(ISharedRegion_Create(r, s, 4096, missing()), S_OK);
    SysFreeString(s);
    ISharedRegion_Release(r);
}

static void test_binding_an_open_object_fails(void **state)
{
    const WCHAR *name = unique_name(L"twice");
    ISharedRegion *r = create_region(L"", 4096);
    assert_error(open_region(r, name, -1), SR_E_ALREADYOPEN, L"Open");
    ISharedRegion_Release(r);
}

static void test_bad_names_are_rejected(void **state)
{
    ISharedRegion *r = new_region();
    WCHAR long_name[MAX_PATH + 2];
    BSTR n;

    wmemset(long_name, 'a', MAX_PATH + 1);
    long_name[MAX_PATH + 1] = 0;
    n = SysAllocString(long_name);
    assert_error(ISharedRegion_Create(r, n, 4096, missing()), E_INVALIDARG, L"Create");
    SysFreeString(n);
    n = SysAllocString(L"a\\b");
    assert_error(ISharedRegion_Create(r, n, 4096, missing()), E_INVALIDARG, L"Create");
    SysFreeString(n);
    n = SysAllocString(L"Local\\");
    assert_error(ISharedRegion_Create(r, n, 4096, missing()), E_INVALIDARG, L"Create");
    SysFreeString(n);
    assert_error(open_region(r, L"Global\\x\\y", -1), E_INVALIDARG, L"Open");
    ISharedRegion_Release(r);
}

static void test_name_limit_does_not_count_the_namespace(void **state)
{
    WCHAR bare[MAX_PATH + 1], prefixed[MAX_PATH + 8];
    ISharedRegion *a = new_region(), *b = new_region();
    BSTR n;
    LONG v = 0;

    swprintf(bare, ARRAY_SIZE(bare), L"%ls", unique_name(L"long"));
    wmemset(bare + wcslen(bare), 'x', MAX_PATH - wcslen(bare));
    bare[MAX_PATH] = 0;
    swprintf(prefixed, ARRAY_SIZE(prefixed), L"Local\\%ls", bare);
    n = SysAllocString(bare);
    assert_int_equal(ISharedRegion_Create(a, n, 4096, missing()), S_OK);   /* exactly MAX_PATH */
    SysFreeString(n);
    assert_int_equal(open_region(b, prefixed, -1), S_OK);                  /* the same region */
    assert_int_equal(ISharedRegion_WriteInt32(a, 0, 260), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(b, 0, &v), S_OK);
    assert_int_equal(v, 260);
    ISharedRegion_Release(a);
    ISharedRegion_Release(b);
}

static void test_explicit_local_prefix_is_the_same_region(void **state)
{
    const WCHAR *name = unique_name(L"prefix");
    WCHAR full[300];
    ISharedRegion *a = create_region(name, 4096), *b = new_region();
    LONG v = 0;

    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    assert_int_equal(open_region(b, full, -1), S_OK);
    assert_int_equal(ISharedRegion_WriteInt32(a, 8, 77), S_OK);
    assert_int_equal(ISharedRegion_ReadInt32(b, 8, &v), S_OK);
    assert_int_equal(v, 77);
    ISharedRegion_Release(a);
    ISharedRegion_Release(b);
}

static void test_read_only_open_refuses_writes(void **state)
{
    const WCHAR *name = unique_name(L"ro");
    ISharedRegion *a = create_region(name, 4096), *b = new_region();
    static const BYTE one[] = { 1 }, zero[] = { 0 };
    VARIANT v = byte_array(one, 1);
    RegionAccess acc;

    assert_int_equal(open_region(b, name, RegionReadOnly), S_OK);
    assert_int_equal(ISharedRegion_get_Access(b, &acc), S_OK);
    assert_int_equal(acc, RegionReadOnly);
    assert_error(ISharedRegion_WriteBytes(b, 0, v), E_ACCESSDENIED, L"WriteBytes");
    assert_wstr_equal(last_description, L"WriteBytes: the region is read-only");
    assert_error(ISharedRegion_Fill(b, 0, 10, 1), E_ACCESSDENIED, L"Fill");
    read_expect(a, 0, zero, 1);
    VariantClear(&v);
    ISharedRegion_Release(b);
    b = new_region();
    assert_error(open_region(b, name, 7), E_INVALIDARG, L"Open");
    assert_wstr_equal(last_description, L"Open: access 7 is not 0 (ReadWrite), 1 (ReadOnly) or 2 (CopyOnWrite)");
    ISharedRegion_Release(a);
    ISharedRegion_Release(b);
}

static void test_support_error_info(void **state)
{
    ISharedRegion *r = new_region();
    ISupportErrorInfo *sei;

    assert_int_equal(ISharedRegion_QueryInterface(r, &IID_ISupportErrorInfo, (void **)&sei), S_OK);
    assert_int_equal(ISupportErrorInfo_InterfaceSupportsErrorInfo(sei, &IID_ISharedRegion), S_OK);
    assert_int_equal(ISupportErrorInfo_InterfaceSupportsErrorInfo(sei, &IID_IDispatch), S_FALSE);
    ISupportErrorInfo_Release(sei);
    ISharedRegion_Release(r);
}

static void test_aggregation_is_refused(void **state)
{
    IUnknown *outer = (IUnknown *)new_region(), *u = (IUnknown *)0xdead;
    assert_int_equal(CoCreateInstance(&CLSID_SharedRegion, outer, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&u),
                     CLASS_E_NOAGGREGATION);
    assert_null(u);
    IUnknown_Release(outer);
}

static void test_progids_resolve(void **state)
{
    CLSID clsid;
    assert_int_equal(CLSIDFromProgID(L"SharedRegion.Region", &clsid), S_OK);
    assert_true(IsEqualCLSID(&clsid, &CLSID_SharedRegion));
    assert_int_equal(CLSIDFromProgID(L"SharedRegion.Region.1", &clsid), S_OK);
    assert_true(IsEqualCLSID(&clsid, &CLSID_SharedRegion));
}

/* ---- the lock belongs to the object that took it, even after Close ---- */


static void test_unlock_works_after_close(void **state)
{
    const WCHAR *name = unique_name(L"unlockclosed");
    ISharedRegion *keep = create_region(name, 4096), *r = new_region();
    VARIANT_BOOL got = VARIANT_FALSE;

    assert_int_equal(open_region(r, name, -1), S_OK);
    assert_int_equal(ISharedRegion_Lock(r, 1000, &got), S_OK);
    assert_int_equal(got, VARIANT_TRUE);
    assert_int_equal(ISharedRegion_Lock(r, 1000, &got), S_OK); /* recursive: two to give back */
    assert_int_equal(lock_is_free(name), VARIANT_FALSE);
    /* Close on the owning thread gives the lock back, however deep. */
    assert_int_equal(ISharedRegion_Close(r), S_OK);
    assert_int_equal(lock_is_free(name), VARIANT_TRUE);
    assert_error(ISharedRegion_Unlock(r), SR_E_NOTOPEN, L"Unlock");
    ISharedRegion_Release(r);
    ISharedRegion_Release(keep);
}

static void test_unlock_after_close_by_the_owner(void **state)
{
    const WCHAR *name = unique_name(L"unlockafter");
    ISharedRegion *keep = create_region(name, 4096), *r = new_region();
    VARIANT_BOOL got = VARIANT_FALSE;

    assert_int_equal(open_region(r, name, -1), S_OK);
    assert_int_equal(ISharedRegion_Lock(r, 1000, &got), S_OK);
    assert_int_equal(got, VARIANT_TRUE);
    assert_error(ISharedRegion_Unlock(keep), HRESULT_FROM_WIN32(ERROR_NOT_OWNER), L"Unlock"); /* not through keep */
    assert_int_equal(ISharedRegion_Unlock(r), S_OK);
    assert_int_equal(lock_is_free(name), VARIANT_TRUE);
    assert_error(ISharedRegion_Unlock(r), HRESULT_FROM_WIN32(ERROR_NOT_OWNER), L"Unlock");
    ISharedRegion_Release(r);
    ISharedRegion_Release(keep);
}

/* ---- an argument object whose conversion calls back into the region ---- */

struct closing_arg { IDispatch IDispatch_iface; ISharedRegion *region; LONG calls; };

static HRESULT WINAPI ca_QueryInterface(IDispatch *iface, REFIID riid, void **out)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch)) { *out = iface; return S_OK; }
    *out = NULL;
    return E_NOINTERFACE;
}
static ULONG WINAPI ca_AddRef(IDispatch *iface) { return 2; }
static ULONG WINAPI ca_Release(IDispatch *iface) { return 1; }
static HRESULT WINAPI ca_GetTypeInfoCount(IDispatch *iface, UINT *n) { *n = 0; return S_OK; }
static HRESULT WINAPI ca_GetTypeInfo(IDispatch *iface, UINT i, LCID l, ITypeInfo **t) { return E_NOTIMPL; }
static HRESULT WINAPI ca_GetIDsOfNames(IDispatch *iface, REFIID r, LPOLESTR *n, UINT c, LCID l, DISPID *d)
{
    return DISP_E_UNKNOWNNAME;
}
/* The default member (what converting the object to a number reads): closes the region, returns 1. */
static HRESULT WINAPI ca_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags, DISPPARAMS *dp,
                                VARIANT *result, EXCEPINFO *ei, UINT *argerr)
{
    struct closing_arg *This = CONTAINING_RECORD(iface, struct closing_arg, IDispatch_iface);
    if (id != DISPID_VALUE) return DISP_E_MEMBERNOTFOUND;
    This->calls++;
    ISharedRegion_Close(This->region);
    if (result) { V_VT(result) = VT_I4; V_I4(result) = 1; }
    return S_OK;
}
static const IDispatchVtbl closing_arg_vtbl = {
    ca_QueryInterface, ca_AddRef, ca_Release, ca_GetTypeInfoCount, ca_GetTypeInfo, ca_GetIDsOfNames, ca_Invoke
};

static void test_map_view_with_an_argument_that_closes_the_region(void **state)
{
    ISharedRegion *r = create_region(L"", 65536);
    struct closing_arg arg = { { &closing_arg_vtbl }, r, 0 };
    ISharedView *v = (ISharedView *)1;
    VARIANT access;

    V_VT(&access) = VT_DISPATCH;
    V_DISPATCH(&access) = &arg.IDispatch_iface;
    /* Converting the argument closes the region: the call sees a closed region, and does not hang. */
    assert_error(ISharedRegion_MapView(r, 0, 16, access, &v), SR_E_NOTOPEN, L"MapView");
    assert_int_equal(arg.calls, 1);
    assert_null(v);
    ISharedRegion_Release(r);
}

/* ---- a name someone else holds ---- */

static void test_create_on_a_name_held_under_a_refusing_dacl(void **state)
{
    const WCHAR *name = unique_name(L"squat");
    WCHAR full[300];
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    SECURITY_DESCRIPTOR sd;
    ISharedRegion *r = new_region();
    HANDLE squat, probe;
    BSTR n = SysAllocString(name);
    VARIANT_BOOL created;

    /* An empty DACL: nobody may open it, its creator's handle aside. */
    InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);
    SetSecurityDescriptorDacl(&sd, TRUE, NULL, FALSE);
    {
        static ACL empty;
        InitializeAcl(&empty, sizeof(empty), ACL_REVISION);
        SetSecurityDescriptorDacl(&sd, TRUE, &empty, FALSE);
    }
    sa.lpSecurityDescriptor = &sd;
    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    squat = CreateFileMappingW(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 4096, full);
    assert_non_null(squat);
    probe = OpenFileMappingW(FILE_MAP_READ, FALSE, full);
    if (probe)
    {
        CloseHandle(probe);
        CloseHandle(squat);
        SysFreeString(n);
        ISharedRegion_Release(r);
        print_message("this system lets anyone open a section whose DACL is empty, so the refusal cannot be seen\n");
        skip();
    }
    assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    assert_error(ISharedRegion_Create(r, n, 4096, missing()), HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"Create");
    assert_non_null(wcsstr(last_description, L"already exists"));
    assert_error(ISharedRegion_OpenOrCreate(r, n, 4096, missing(), &created), E_ACCESSDENIED, L"OpenOrCreate");
    assert_non_null(wcsstr(last_description, L"is taken and cannot be opened"));
    CloseHandle(squat);
    SysFreeString(n);
    ISharedRegion_Release(r);
}

static void test_create_on_a_name_held_by_a_mutex(void **state)
{
    const WCHAR *name = unique_name(L"mutexname");
    WCHAR full[300];
    ISharedRegion *r = new_region();
    BSTR n = SysAllocString(name);
    HANDLE m;

    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    m = CreateMutexW(NULL, FALSE, full);
    assert_non_null(m);
    assert_error(ISharedRegion_Create(r, n, 4096, missing()), HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"Create");
    assert_non_null(wcsstr(last_description, L"another kind of kernel object"));
    CloseHandle(m);
    assert_int_equal(ISharedRegion_Create(r, n, 4096, missing()), S_OK); /* free again */
    SysFreeString(n);
    ISharedRegion_Release(r);
}

/* ---- close and re-bind under readers whose window must move ----
 * Every read sees the object as it is bound at that moment: open and long enough (S_OK), closed, or
 * too short. (The reverse interleaving, a re-bind between a reader's two locks, is rare on this
 * platform; span_io checks everything again after the switch, by review rather than by this test.) */

struct churn { ISharedRegion *r; volatile LONG stop; LONG reads, bad; HRESULT bad_hr; };

static DWORD WINAPI churn_reader(void *arg)
{
    struct churn *c = arg;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    while (!c->stop)
    {
        VARIANT v;
        HRESULT hr = ISharedRegion_ReadBytes(c->r, (double)(100 << 20), 16, &v);
        if (SUCCEEDED(hr)) VariantClear(&v);
        /* Open and long enough, closed, or bound to a region too short: nothing else. */
        if (hr != S_OK && hr != SR_E_NOTOPEN && hr != E_INVALIDARG) { c->bad++; c->bad_hr = hr; }
        InterlockedIncrement(&c->reads);
    }
    CoUninitialize();
    return 0;
}

static void test_rebinding_under_readers_gives_only_legitimate_answers(void **state)
{
    struct churn c = { new_region(), 0, 0, 0, S_OK };
    HANDLE t[2];
    unsigned int i;

    assert_int_equal(ISharedRegion_Create(c.r, NULL, (double)(200 << 20), missing()), S_OK);
    for (i = 0; i < 2; i++) assert_non_null(t[i] = CreateThread(NULL, 0, churn_reader, &c, 0, NULL));
    /* Sizes around the readers' offset: 200 MiB (inside), 100 MiB + 8 (the read straddles the end). */
    for (i = 0; i < 400; i++)
    {
        assert_int_equal(ISharedRegion_Close(c.r), S_OK);
        assert_int_equal(ISharedRegion_Create(c.r, NULL, i % 2 ? (double)((100 << 20) + 8) : (double)(200 << 20),
                                              missing()), S_OK);
    }
    c.stop = 1;
    /* A limit that only catches a hang: the readers finish in milliseconds once told to stop. */
    assert_int_equal(WaitForMultipleObjects(2, t, TRUE, 60000), WAIT_OBJECT_0);
    CloseHandle(t[0]);
    CloseHandle(t[1]);
    print_message("%ld reads while the region was re-bound 400 times\n", c.reads);
    assert_int_equal(c.bad, 0);
    assert_true(c.reads > 0);
    ISharedRegion_Release(c.r);
}

/* ---- the same members through IDispatch::Invoke by name ---- */

static void test_dispatch_round_trip(void **state)
{
    const WCHAR *name = unique_name(L"disp");
    ISharedRegion *r = new_region(), *other = new_region();
    static const BYTE data[] = { 0xde, 0xad, 0xbe, 0xef };
    VARIANT res, arr = byte_array(data, 4);

    assert_int_equal(disp_method(r, L"Create", NULL, 2, vstr(name), vnum(65536)), S_OK);
    assert_int_equal(disp_get(r, L"Size", &res), S_OK);
    assert_int_equal(V_VT(&res), VT_R8);
    assert_true(V_R8(&res) == 65536);
    assert_int_equal(disp_get(r, L"IsOpen", &res), S_OK);
    assert_int_equal(V_VT(&res), VT_BOOL);
    assert_int_equal(V_BOOL(&res), VARIANT_TRUE);
    assert_int_equal(disp_get(r, L"Created", &res), S_OK);
    assert_int_equal(V_BOOL(&res), VARIANT_TRUE);

    /* VBScript passes Integers (VT_I2) and Longs (VT_I4) for numbers; they convert to double. */
    {
        VARIANT i2;
        V_VT(&i2) = VT_I2;
        V_I2(&i2) = 40;
        assert_int_equal(disp_method(r, L"WriteBytes", NULL, 2, i2, arr), S_OK);
    }
    assert_int_equal(disp_method(r, L"ReadBytes", &res, 2, vnum(40), vnum(4)), S_OK);
    assert_bytes(&res, data, 4);
    VariantClear(&res);

    assert_int_equal(disp_method(r, L"WriteString", &res, 2, vnum(1000), vstr(L"scripted")), S_OK);
    assert_int_equal(V_VT(&res), VT_I4);
    assert_int_equal(V_I4(&res), 9);

    /* Another object, opened by name through IDispatch, reads it. */
    assert_int_equal(disp_method(other, L"Open", NULL, 1, vstr(name)), S_OK);
    assert_int_equal(disp_method(other, L"ReadString", &res, 1, vnum(1000)), S_OK);
    assert_int_equal(V_VT(&res), VT_BSTR);
    assert_wstr_equal(V_BSTR(&res), L"scripted");
    VariantClear(&res);
    assert_int_equal(disp_method(other, L"ReadString", &res, 3, vnum(1000), vnum(6), vstr(L"utf-8")), S_OK);
    assert_wstr_equal(V_BSTR(&res), L"script");
    VariantClear(&res);
    assert_int_equal(disp_method(other, L"OpenOrCreate", &res, 2, vstr(name), vnum(10)), SR_E_ALREADYOPEN);
    assert_int_equal(disp_method(other, L"Close", NULL, 0), S_OK);
    assert_int_equal(disp_method(other, L"OpenOrCreate", &res, 2, vstr(name), vnum(10)), S_OK);
    assert_int_equal(V_VT(&res), VT_BOOL);
    assert_int_equal(V_BOOL(&res), VARIANT_FALSE);
    assert_int_equal(disp_get(other, L"Name", &res), S_OK);
    assert_int_equal(V_VT(&res), VT_BSTR);
    {
        WCHAR full[300];
        swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
        assert_wstr_equal(V_BSTR(&res), full);
    }
    VariantClear(&res);
    assert_int_equal(disp_get(other, L"FilePath", &res), S_OK);
    assert_wstr_equal(V_BSTR(&res), L"");
    VariantClear(&res);
    assert_int_equal(disp_get(other, L"Access", &res), S_OK);
    assert_int_equal(V_VT(&res), VT_I4);
    assert_int_equal(V_I4(&res), 0);

    VariantClear(&arr);
    ISharedRegion_Release(other);
    ISharedRegion_Release(r);
}

static void test_dispatch_errors_reach_the_script(void **state)
{
    const WCHAR *name = unique_name(L"disperr");
    ISharedRegion *r = new_region(), *c = create_region(name, 4096);
    VARIANT res;

    assert_int_equal(disp_method(r, L"Create", NULL, 2, vstr(L""), vnum(65536)), S_OK);
    assert_disp_error(disp_method(r, L"ReadBytes", &res, 2, vnum(70000), vnum(16)), E_INVALIDARG, L"ReadBytes");
    assert_wstr_equal(disp_description,
                      L"ReadBytes: offset 70000 + count 16 is past the end of the region (65536 bytes)");
    assert_disp_error(disp_method(r, L"ReadInt32", &res, 1, vnum(-1)), E_INVALIDARG, L"ReadInt32");
    assert_disp_error(disp_method(r, L"ReadBytes", &res, 2, vnum(0.5), vnum(1)), E_INVALIDARG, L"ReadBytes");
    assert_disp_error(disp_method(r, L"Create", NULL, 2, vstr(L"x"), vnum(1)), SR_E_ALREADYOPEN, L"Create");
    assert_int_equal(disp_method(r, L"Close", NULL, 0), S_OK);
    assert_disp_error(disp_method(r, L"ReadByte", &res, 1, vnum(0)), SR_E_NOTOPEN, L"ReadByte");
    assert_disp_error(disp_method(r, L"Open", NULL, 1, vstr(unique_name(L"nothere"))),
                      HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), L"Open");
    assert_disp_error(disp_method(r, L"Create", NULL, 2, vstr(name), vnum(4096)),
                      HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS), L"Create");
    ISharedRegion_Release(c);
    ISharedRegion_Release(r);
}

static void test_dll_can_unload_now_follows_objects(void **state)
{
    ISharedRegion *r = new_region();
    assert_int_equal(server_can_unload_now(), S_FALSE);
    ISharedRegion_Release(r);
    assert_int_equal(server_can_unload_now(), S_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_sets_properties),
        cmocka_unit_test(test_new_object_is_closed),
        cmocka_unit_test(test_create_existing_name_fails),
        cmocka_unit_test(test_open_missing_name_fails),
        cmocka_unit_test(test_two_objects_see_each_others_writes),
        cmocka_unit_test(test_open_reports_page_rounded_size),
        cmocka_unit_test(test_open_or_create_says_who_created),
        cmocka_unit_test(test_anonymous_region),
        cmocka_unit_test(test_open_empty_name_fails),
        cmocka_unit_test(test_write_bytes_accepts_variant_array),
        cmocka_unit_test(test_write_bytes_bad_element_changes_nothing),
        cmocka_unit_test(test_strings_utf8_and_utf16),
        cmocka_unit_test(test_read_string_invalid_utf8_is_an_error),
        cmocka_unit_test(test_read_string_stops_at_region_end),
        cmocka_unit_test(test_offset_and_count_past_end),
        cmocka_unit_test(test_bad_numbers_are_rejected),
        cmocka_unit_test(test_closed_object_and_close_twice),
        cmocka_unit_test(test_binding_an_open_object_fails),
        cmocka_unit_test(test_bad_names_are_rejected),
        cmocka_unit_test(test_name_limit_does_not_count_the_namespace),
        cmocka_unit_test(test_explicit_local_prefix_is_the_same_region),
        cmocka_unit_test(test_read_only_open_refuses_writes),
        cmocka_unit_test(test_support_error_info),
        cmocka_unit_test(test_aggregation_is_refused),
        cmocka_unit_test(test_progids_resolve),
        cmocka_unit_test(test_unlock_works_after_close),
        cmocka_unit_test(test_unlock_after_close_by_the_owner),
        cmocka_unit_test(test_map_view_with_an_argument_that_closes_the_region),
        cmocka_unit_test(test_create_on_a_name_held_under_a_refusing_dacl),
        cmocka_unit_test(test_create_on_a_name_held_by_a_mutex),
        cmocka_unit_test(test_rebinding_under_readers_gives_only_legitimate_answers),
        cmocka_unit_test(test_dispatch_round_trip),
        cmocka_unit_test(test_dispatch_errors_reach_the_script),
        cmocka_unit_test(test_dll_can_unload_now_follows_objects),
    };
    return cmocka_run_group_tests_name("region", tests, com_setup, com_teardown);
}
