/*
 * Records: structs read by field name (ReadRecord, ReadRecords, ISharedRecord), and named fields in
 * the struct format language, through the vtable and through IDispatch by name.
 */
#include "common.h"

#define SIZE 65536

/* A 46-byte frame: uint32 packetId, float gas, float brake, float wheelSlip[4], char name[8], 2 pad
 * bytes, then at 38 a uint64 beyond 2^53 (standard sizes, no alignment: the "<" prefix). */
static const WCHAR FRAME[] = L"<I:packetId f:gas brake:f 4f:wheelSlip name:8s 2x big:Q";

static void write_frame(ISharedRegion *r, double at, ULONG id)
{
    BYTE b[46];
    float f[6] = { 1.5f, -2.25f, 0.5f, 1.0f, 2.0f, 4.0f };
    ULONGLONG big = 18446744073709551615ULL - id;

    memset(b, 0, sizeof(b));
    memcpy(b, &id, 4);
    memcpy(b + 4, f, sizeof(f));
    memcpy(b + 28, "drv\"\\\n", 6);
    memcpy(b + 38, &big, 8);
    write_bytes(r, at, b, sizeof(b));
}

static void expect_text(const VARIANT *v, const WCHAR *text)
{
    VARIANT s;
    VariantInit(&s);
    assert_int_equal(VariantChangeTypeEx(&s, (VARIANT *)v, LOCALE_INVARIANT, 0, VT_BSTR), S_OK);
    assert_wstr_equal(V_BSTR(&s), text);
    VariantClear(&s);
}

static void test_read_record_reads_fields_by_name(void **state)
{
    ISharedRegion *r = create_region(L"", SIZE);
    ISharedRecord *rec;
    VARIANT v, key, *items;
    VARIANT_BOOL yes;
    BSTR fmt = SysAllocString(FRAME), json;
    LONG n;

    (void)state;
    write_frame(r, 100, 7);
    assert_int_equal(ISharedRegion_ReadRecord(r, 100, fmt, missing(), &rec), S_OK);
    assert_int_equal(ISharedRecord_get_Count(rec, &n), S_OK);
    assert_int_equal(n, 6);

    /* Names in format order. */
    assert_int_equal(ISharedRecord_get_Names(rec, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_ARRAY | VT_VARIANT);
    assert_int_equal(V_ARRAY(&v)->rgsabound[0].cElements, 6);
    SafeArrayAccessData(V_ARRAY(&v), (void **)&items);
    assert_wstr_equal(V_BSTR(&items[0]), L"packetId");
    assert_wstr_equal(V_BSTR(&items[3]), L"wheelSlip");
    assert_wstr_equal(V_BSTR(&items[5]), L"big");
    SafeArrayUnaccessData(V_ARRAY(&v));
    VariantClear(&v);

    /* Item by name (without case) and by index. */
    key = vstr(L"GAS");
    assert_int_equal(ISharedRecord_get_Item(rec, key, &v), S_OK);
    VariantClear(&key);
    assert_int_equal(V_VT(&v), VT_R8);
    assert_true(V_R8(&v) == 1.5);
    assert_int_equal(ISharedRecord_get_Item(rec, vnum(0), &v), S_OK);
    expect_text(&v, L"7");
    key = vstr(L"name");
    assert_int_equal(ISharedRecord_get_Item(rec, key, &v), S_OK);
    VariantClear(&key);
    assert_int_equal(V_VT(&v), VT_BSTR);
    assert_wstr_equal(V_BSTR(&v), L"drv\"\\\n");
    VariantClear(&v);
    /* A named count of numbers is one field holding an array. */
    key = vstr(L"wheelslip");
    assert_int_equal(ISharedRecord_get_Item(rec, key, &v), S_OK);
    VariantClear(&key);
    assert_int_equal(V_VT(&v), VT_ARRAY | VT_VARIANT);
    assert_int_equal(V_ARRAY(&v)->rgsabound[0].cElements, 4);
    SafeArrayAccessData(V_ARRAY(&v), (void **)&items);
    assert_true(V_R8(&items[0]) == 0.5 && V_R8(&items[3]) == 4.0);
    SafeArrayUnaccessData(V_ARRAY(&v));
    VariantClear(&v);
    /* 64-bit beyond 2^53: an exact Decimal. */
    key = vstr(L"big");
    assert_int_equal(ISharedRecord_get_Item(rec, key, &v), S_OK);
    VariantClear(&key);
    assert_int_equal(V_VT(&v), VT_DECIMAL);
    expect_text(&v, L"18446744073709551608");

    /* Unknown names and indexes: the sentence lists the names. */
    key = vstr(L"nope");
    assert_error(ISharedRecord_get_Item(rec, key, &v), DISP_E_UNKNOWNNAME, L"Item");
    VariantClear(&key);
    assert_wstr_equal(last_description, L"Item: the record has no field \"nope\"; its fields are packetId, gas, brake, "
                                        L"wheelSlip, name, big");
    assert_error(ISharedRecord_get_Item(rec, vnum(6), &v), DISP_E_BADINDEX, L"Item");
    assert_wstr_equal(last_description, L"Item: index 6 is not a field's index (0 to 5); the fields are packetId, gas, "
                                        L"brake, wheelSlip, name, big");

    assert_int_equal(ISharedRecord_Exists(rec, (BSTR)NULL, &yes), S_OK);
    assert_int_equal(yes, VARIANT_FALSE);
    json = SysAllocString(L"BRAKE");
    assert_int_equal(ISharedRecord_Exists(rec, json, &yes), S_OK);
    SysFreeString(json);
    assert_int_equal(yes, VARIANT_TRUE);

    assert_int_equal(ISharedRecord_ToJson(rec, &json), S_OK);
    assert_wstr_equal(json, L"{\"packetId\":7,\"gas\":1.5,\"brake\":-2.25,\"wheelSlip\":[0.5,1,2,4],"
                            L"\"name\":\"drv\\\"\\\\\\n\",\"big\":18446744073709551608}");
    SysFreeString(json);
    ISharedRecord_Release(rec);
    SysFreeString(fmt);
    ISharedRegion_Release(r);
}

/* Through IDispatch, as scripts reach it: a field is a property under its own name; one argument
 * indexes a field that holds an array; members win over fields; the enumerator yields the names. */
static void test_record_fields_are_properties_by_name(void **state)
{
    ISharedRegion *r = create_region(L"", SIZE);
    VARIANT rec, v, e;
    IEnumVARIANT *en;
    IUnknown *unk;
    WCHAR all[256] = L"";
    ULONG got;

    (void)state;
    write_frame(r, 0, 42);
    assert_int_equal(disp_method(r, L"ReadRecord", &rec, 2, vnum(0), vstr(FRAME)), S_OK);
    assert_int_equal(V_VT(&rec), VT_DISPATCH);
    assert_int_equal(disp_call(V_DISPATCH(&rec), L"packetid", DISPATCH_PROPERTYGET, &v, 0), S_OK);
    expect_text(&v, L"42");
    assert_int_equal(disp_call(V_DISPATCH(&rec), L"Brake", DISPATCH_METHOD | DISPATCH_PROPERTYGET, &v, 0), S_OK);
    assert_true(V_VT(&v) == VT_R8 && V_R8(&v) == -2.25);
    assert_int_equal(disp_call(V_DISPATCH(&rec), L"wheelSlip", DISPATCH_METHOD | DISPATCH_PROPERTYGET, &v, 1, vnum(2)),
                     S_OK);
    assert_true(V_VT(&v) == VT_R8 && V_R8(&v) == 2.0);
    assert_int_equal(disp_call(V_DISPATCH(&rec), L"wheelSlip", DISPATCH_METHOD | DISPATCH_PROPERTYGET, &v, 1, vnum(4)),
                     DISP_E_BADINDEX);
    assert_wstr_equal(disp_description, L"wheelSlip: the index must be a whole number from 0 to 3");
    assert_int_equal(disp_call(V_DISPATCH(&rec), L"gas", DISPATCH_PROPERTYPUT, NULL, 1, vnum(1)), DISP_E_MEMBERNOTFOUND);
    assert_int_equal(disp_call(V_DISPATCH(&rec), L"Count", DISPATCH_PROPERTYGET, &v, 0), S_OK);
    assert_true(V_VT(&v) == VT_I4 && V_I4(&v) == 6);
    assert_int_equal(disp_call(V_DISPATCH(&rec), L"missing", DISPATCH_PROPERTYGET, &v, 0), DISP_E_UNKNOWNNAME);
    /* The default member: rec("gas"). */
    assert_int_equal(disp_call(V_DISPATCH(&rec), L"Item", DISPATCH_PROPERTYGET, &v, 1, vstr(L"gas")), S_OK);
    assert_true(V_VT(&v) == VT_R8 && V_R8(&v) == 1.5);

    /* For Each name In rec. */
    assert_int_equal(disp_call(V_DISPATCH(&rec), L"_NewEnum", DISPATCH_PROPERTYGET, &v, 0), S_OK);
    assert_int_equal(V_VT(&v), VT_UNKNOWN);
    unk = V_UNKNOWN(&v);
    assert_int_equal(IUnknown_QueryInterface(unk, &IID_IEnumVARIANT, (void **)&en), S_OK);
    IUnknown_Release(unk);
    while (IEnumVARIANT_Next(en, 1, &e, &got) == S_OK && got == 1)
    {
        wcscat(all, V_BSTR(&e));
        wcscat(all, L",");
        VariantClear(&e);
    }
    assert_wstr_equal(all, L"packetId,gas,brake,wheelSlip,name,big,");
    assert_int_equal(IEnumVARIANT_Reset(en), S_OK);
    assert_int_equal(IEnumVARIANT_Skip(en, 5), S_OK);
    assert_int_equal(IEnumVARIANT_Skip(en, 2), S_FALSE);
    IEnumVARIANT_Release(en);
    VariantClear(&rec);
    ISharedRegion_Release(r);
    assert_int_equal(server_can_unload_now(), S_OK); /* records and enumerators count, and are gone */
}

/* GetTypeInfo describes each field as a read-only property under its name (PowerShell's Get-Member). */
static void test_record_type_info_lists_the_fields(void **state)
{
    static const WCHAR *const names[] = { L"packetId", L"gas", L"brake", L"wheelSlip", L"name", L"big" };
    ISharedRegion *r = create_region(L"", SIZE);
    BSTR fmt = SysAllocString(FRAME), name;
    ISharedRecord *rec;
    ITypeInfo *ti;
    TYPEATTR *attr;
    FUNCDESC *fd;
    UINT i, count = 0, funcs, fields = 0, inherited = 0;
    VARIANT v;
    DISPPARAMS none = { NULL, NULL, 0, 0 };

    (void)state;
    write_frame(r, 0, 5);
    assert_int_equal(ISharedRegion_ReadRecord(r, 0, fmt, missing(), &rec), S_OK);
    assert_int_equal(ISharedRecord_GetTypeInfoCount(rec, &count), S_OK);
    assert_int_equal(count, 1);
    assert_int_equal(ISharedRecord_GetTypeInfo(rec, 0, 0, &ti), S_OK);
    assert_int_equal(ITypeInfo_GetTypeAttr(ti, &attr), S_OK);
    assert_int_equal(attr->typekind, TKIND_DISPATCH);
    funcs = attr->cFuncs;
    ITypeInfo_ReleaseTypeAttr(ti, attr);
    for (i = 0; i < funcs; i++)
    {
        assert_int_equal(ITypeInfo_GetFuncDesc(ti, i, &fd), S_OK);
        assert_int_equal(ITypeInfo_GetDocumentation(ti, fd->memid, &name, NULL, NULL, NULL), S_OK);
        if (!wcscmp(name, L"QueryInterface") || !wcscmp(name, L"AddRef") || !wcscmp(name, L"Release")
            || !wcscmp(name, L"GetTypeInfoCount") || !wcscmp(name, L"GetTypeInfo") || !wcscmp(name, L"GetIDsOfNames")
            || !wcscmp(name, L"Invoke"))
            inherited++; /* a dispinterface derives from IDispatch; oleaut32 may list its methods */
        else
        {
            assert_true(fields < 6);
            assert_wstr_equal(name, names[fields]);
            assert_int_equal(fd->memid, 1000 + fields);
            assert_int_equal(fd->invkind, INVOKE_PROPERTYGET);
            assert_int_equal(fd->cParams, 0);
            assert_int_equal(fd->elemdescFunc.tdesc.vt, VT_VARIANT);
            /* The DISPID it gives is the one Invoke answers. */
            VariantInit(&v);
            assert_int_equal(ISharedRecord_Invoke(rec, fd->memid, &IID_NULL, 0, DISPATCH_PROPERTYGET, &none, &v, NULL,
                                                  NULL), S_OK);
            VariantClear(&v);
            fields++;
        }
        SysFreeString(name);
        ITypeInfo_ReleaseFuncDesc(ti, fd);
    }
    assert_int_equal(fields, 6);
    assert_true(inherited == 0 || inherited == 7);
    print_message("[ FIGURES  ] the fields' type info: %u properties after %u inherited methods\n", fields, inherited);
    ITypeInfo_Release(ti);
    assert_int_equal(ISharedRecord_GetTypeInfo(rec, 1, 0, &ti), DISP_E_BADINDEX);
    ISharedRecord_Release(rec);
    SysFreeString(fmt);
    ISharedRegion_Release(r);
}

/* A header gives an offset, a record size and a count, as HWiNFO's and RTSS's do. */
static void test_read_records_reads_header_described_arrays(void **state)
{
    ISharedRegion *r = create_region(L"", SIZE);
    ISharedView *view;
    BSTR fmt = SysAllocString(L"<id:I value:d label:8s");
    VARIANT recs, v, *items;
    ULONG i, hdr[3] = { 1000, 32, 5 };   /* records at 1000, 32 bytes apart (the struct is 20), 5 of them */

    (void)state;
    write_bytes(r, 0, hdr, sizeof(hdr));
    for (i = 0; i < 5; i++)
    {
        BYTE b[20];
        double d = i * 0.25;
        ULONG id = 100 + i;
        memcpy(b, &id, 4);
        memcpy(b + 4, &d, 8);
        memcpy(b + 12, "sensor00", 8);
        b[19] = (BYTE)('0' + i);
        write_bytes(r, 1000 + i * 32, b, sizeof(b));
    }
    assert_int_equal(ISharedRegion_ReadRecords(r, hdr[0], hdr[2], hdr[1], fmt, missing(), &recs), S_OK);
    assert_int_equal(V_VT(&recs), VT_ARRAY | VT_VARIANT);
    assert_int_equal(V_ARRAY(&recs)->rgsabound[0].cElements, 5);
    SafeArrayAccessData(V_ARRAY(&recs), (void **)&items);
    for (i = 0; i < 5; i++)
    {
        WCHAR label[16];
        assert_int_equal(V_VT(&items[i]), VT_DISPATCH);
        assert_int_equal(disp_call(V_DISPATCH(&items[i]), L"id", DISPATCH_PROPERTYGET, &v, 0), S_OK);
        assert_true(V_R8(&v) == 100 + i);
        assert_int_equal(disp_call(V_DISPATCH(&items[i]), L"value", DISPATCH_PROPERTYGET, &v, 0), S_OK);
        assert_true(V_R8(&v) == i * 0.25);
        assert_int_equal(disp_call(V_DISPATCH(&items[i]), L"label", DISPATCH_PROPERTYGET, &v, 0), S_OK);
        swprintf(label, ARRAY_SIZE(label), L"sensor0%u", i);
        assert_wstr_equal(V_BSTR(&v), label);
        VariantClear(&v);
    }
    SafeArrayUnaccessData(V_ARRAY(&recs));
    VariantClear(&recs);

    /* stride 0: the struct's size. Through a view, offsets are the view's. */
    assert_int_equal(ISharedRegion_MapView(r, 1000, 0, missing(), &view), S_OK);
    assert_int_equal(ISharedView_ReadRecords(view, 0, 1, 0, fmt, missing(), &recs), S_OK);
    assert_int_equal(V_ARRAY(&recs)->rgsabound[0].cElements, 1);
    VariantClear(&recs);
    ISharedView_Release(view);

    /* The whole span is checked before anything is read: the last record would end past the end. */
    assert_error(ISharedRegion_ReadRecords(r, SIZE - 20 - 4 * 32 + 1, 5, 32, fmt, missing(), &recs), E_INVALIDARG,
                 L"ReadRecords");
    assert_int_equal(V_VT(&recs), VT_EMPTY);
    assert_error(ISharedRegion_ReadRecords(r, 0, 2, 19, fmt, missing(), &recs), E_INVALIDARG, L"ReadRecords");
    assert_wstr_equal(last_description, L"ReadRecords: stride 19 is smaller than the record (20 bytes): records would "
                                        L"overlap");
    assert_error(ISharedRegion_ReadRecords(r, 0, 1e9, 20, fmt, missing(), &recs), E_INVALIDARG, L"ReadRecords");
    assert_int_equal(ISharedRegion_ReadRecords(r, 0, 0, 0, fmt, missing(), &recs), S_OK);
    assert_int_equal(V_ARRAY(&recs)->rgsabound[0].cElements, 0);
    VariantClear(&recs);

    /* Reading changes nothing. */
    read_expect(r, 0, hdr, sizeof(hdr));
    SysFreeString(fmt);
    ISharedRegion_Release(r);
}

/* Unpack, Pack and CalcSize accept named formats and ignore the names; both orders of a named field
 * are read; bad names are refused with a sentence. */
static void test_named_formats(void **state)
{
    static const struct { const WCHAR *format; const WCHAR *text; } bad[] =
    {
        { L"<I:id f:ID", L"ReadRecord: the name 'ID' is given twice (names compare without case)" },
        { L"<1st:I", L"ReadRecord: '1st:I' is not a named field: write name:code, as gas:f or wheelSlip:4f (a name of "
                     L"letters, digits and _, not starting with a digit, at most 63 characters; the code with its "
                     L"count), one field to a word" },
        { L"<pad:4x a:I", L"ReadRecord: 'pad:4x' names padding, which has no value; write the x without a name" },
        { L"<a:I h", L"ReadRecord: field 'h' has no name; ReadRecord needs a name on every field but x padding "
                     L"(name:code, as gas:f or wheelSlip:4f)" },
        { L"<4x", L"ReadRecord: format '<4x' names no field; write name:code, as gas:f or wheelSlip:4f" },
        { L"<a:I:b", L"ReadRecord: 'a:I:b' is not a named field" },
    };
    ISharedRegion *r = create_region(L"", SIZE);
    BSTR named = SysAllocString(L"<I:packetId f:gas 4f:wheelSlip 2x"), plain = SysAllocString(L"<I f 4f 2x");
    ISharedRecord *rec;
    VARIANT a, b;
    LONG na, nb;
    unsigned int i;

    (void)state;
    write_frame(r, 0, 3);
    assert_int_equal(ISharedRegion_CalcSize(r, named, &na), S_OK);
    assert_int_equal(ISharedRegion_CalcSize(r, plain, &nb), S_OK);
    assert_int_equal(na, 26);
    assert_int_equal(nb, 26);
    assert_int_equal(ISharedRegion_Unpack(r, 0, named, missing(), &a), S_OK);
    assert_int_equal(ISharedRegion_Unpack(r, 0, plain, missing(), &b), S_OK);
    assert_int_equal(V_ARRAY(&a)->rgsabound[0].cElements, 6);
    assert_int_equal(V_ARRAY(&b)->rgsabound[0].cElements, 6);
    assert_int_equal(ISharedRegion_Pack(r, 100, named, a, missing(), &na), S_OK);
    assert_int_equal(na, 26);
    VariantClear(&a);
    VariantClear(&b);
    for (i = 0; i < ARRAY_SIZE(bad); i++)
    {
        BSTR f = SysAllocString(bad[i].format);
        HRESULT hr = ISharedRegion_ReadRecord(r, 0, f, missing(), &rec);
        SysFreeString(f);
        if (hr != E_INVALIDARG) fail_msg("format '%ls': hr %#lx", bad[i].format, (unsigned long)hr);
        error_description();
        if (wcsncmp(last_description, bad[i].text, wcslen(bad[i].text)))
            fail_msg("format '%ls': '%ls'", bad[i].format, last_description);
    }
    /* A named format is held to the struct parser's length cap before anything is sized by it. */
    {
        BSTR huge = SysAllocStringLen(NULL, 65537);
        LONG size;
        for (i = 0; i < 65537; i++) huge[i] = ' ';
        memcpy(huge, L"<a:B", 4 * sizeof(WCHAR));
        assert_error(ISharedRegion_ReadRecord(r, 0, huge, missing(), &rec), E_INVALIDARG, L"ReadRecord");
        assert_wstr_equal(last_description, L"ReadRecord: the format is 65537 characters long, more than a format may "
                                            L"have (65536)");
        assert_error(ISharedRegion_CalcSize(r, huge, &size), E_INVALIDARG, L"CalcSize");
        SysFreeString(huge);
    }
    /* The contract's example writes the code first: "I:packetId" reads as the field packetId. */
    SysFreeString(named);
    named = SysAllocString(L"<packetId:I f:gas");
    assert_int_equal(ISharedRegion_ReadRecord(r, 0, named, missing(), &rec), S_OK);
    assert_int_equal(ISharedRecord_get_Count(rec, &na), S_OK);
    assert_int_equal(na, 2);
    ISharedRecord_Release(rec);
    SysFreeString(named);
    SysFreeString(plain);
    ISharedRegion_Release(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_record_reads_fields_by_name),
        cmocka_unit_test(test_record_fields_are_properties_by_name),
        cmocka_unit_test(test_record_type_info_lists_the_fields),
        cmocka_unit_test(test_read_records_reads_header_described_arrays),
        cmocka_unit_test(test_named_formats),
    };
    return cmocka_run_group_tests_name("records", tests, com_setup, com_teardown);
}
