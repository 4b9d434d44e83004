/*
 * SharedRegion tests: IDispatch::Invoke fuzzing. A deterministic (seeded xorshift) stream of
 * CALLS random calls on regions and views: random DISPIDs (valid and not), flags, argument counts,
 * named arguments, VARIANT types and values (by-reference and arrays included), with and without
 * EXCEPINFO, result and puArgErr. Every call must come back; every failure on a known member with an
 * EXCEPINFO to fill must be DISP_E_EXCEPTION with a description that starts with the member's name.
 * At the end every object is released: DllCanUnloadNow says S_OK, no view stays mapped, no handle
 * stays open and no name is left.
 *
 * Set SR_FUZZ_SEED to replay another stream; SR_FUZZ_CALLS to run more or fewer calls.
 */
#include <math.h>
#include "hardening.h"
#include "claimed_array.h"

#define CALLS        200000
#define TIME_CAP_MS  150000.0        /* stop early (and say so) rather than outrun the suite's budget */
#define REGIONS      6
#define VIEWS        8
#define NAMES        4

static ULONGLONG seed = 0x5eed5eed12345678ULL;

static ULONGLONG rnd(void)
{
    ULONGLONG x = seed;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    seed = x;
    return x * 0x2545f4914f6cdd1dULL;
}

static unsigned int pick(unsigned int n)
{
    return (unsigned int)(rnd() % n);
}

/* ---- the members ---- */

struct member { DISPID id; const WCHAR *name; WORD flags; unsigned int args; };

static const struct member region_members[] =
{
    { 1, L"Create", DISPATCH_METHOD, 3 }, { 2, L"Open", DISPATCH_METHOD, 2 }, { 3, L"OpenOrCreate", DISPATCH_METHOD, 3 },
    { 4, L"OpenFile", DISPATCH_METHOD, 4 }, { 5, L"Close", DISPATCH_METHOD, 0 },
    { 6, L"Name", DISPATCH_PROPERTYGET, 0 }, { 7, L"Size", DISPATCH_PROPERTYGET, 0 },
    { 8, L"Access", DISPATCH_PROPERTYGET, 0 }, { 9, L"IsOpen", DISPATCH_PROPERTYGET, 0 },
    { 10, L"Created", DISPATCH_PROPERTYGET, 0 }, { 11, L"FilePath", DISPATCH_PROPERTYGET, 0 },
    { 12, L"LockAbandoned", DISPATCH_PROPERTYGET, 0 },
    { 100, L"ReadBytes", DISPATCH_METHOD, 2 }, { 101, L"WriteBytes", DISPATCH_METHOD, 2 },
    { 102, L"ReadString", DISPATCH_METHOD, 3 }, { 103, L"WriteString", DISPATCH_METHOD, 4 },
    { 104, L"ReadByte", DISPATCH_METHOD, 1 }, { 105, L"WriteByte", DISPATCH_METHOD, 2 },
    { 106, L"ReadInt32", DISPATCH_METHOD, 1 }, { 107, L"WriteInt32", DISPATCH_METHOD, 2 },
    { 108, L"ReadDouble", DISPATCH_METHOD, 1 }, { 109, L"WriteDouble", DISPATCH_METHOD, 2 },
    { 110, L"Fill", DISPATCH_METHOD, 3 }, { 111, L"Flush", DISPATCH_METHOD, 2 },
    { 112, L"ReadInt8", DISPATCH_METHOD, 1 }, { 113, L"WriteInt8", DISPATCH_METHOD, 2 },
    { 114, L"ReadInt16", DISPATCH_METHOD, 1 }, { 115, L"WriteInt16", DISPATCH_METHOD, 2 },
    { 116, L"ReadUInt16", DISPATCH_METHOD, 1 }, { 117, L"WriteUInt16", DISPATCH_METHOD, 2 },
    { 118, L"ReadUInt32", DISPATCH_METHOD, 1 }, { 119, L"WriteUInt32", DISPATCH_METHOD, 2 },
    { 120, L"ReadInt64", DISPATCH_METHOD, 1 }, { 121, L"WriteInt64", DISPATCH_METHOD, 2 },
    { 122, L"ReadUInt64", DISPATCH_METHOD, 1 }, { 123, L"WriteUInt64", DISPATCH_METHOD, 2 },
    { 124, L"ReadSingle", DISPATCH_METHOD, 1 }, { 125, L"WriteSingle", DISPATCH_METHOD, 2 },
    { 126, L"ReadArray", DISPATCH_METHOD, 3 }, { 127, L"WriteArray", DISPATCH_METHOD, 3 },
    { 128, L"ReadInto", DISPATCH_METHOD, 2 }, { 129, L"Unpack", DISPATCH_METHOD, 3 },
    { 130, L"Pack", DISPATCH_METHOD, 4 }, { 131, L"CalcSize", DISPATCH_METHOD, 1 },
    { 200, L"MapView", DISPATCH_METHOD, 3 }, { 201, L"Lock", DISPATCH_METHOD, 1 },
    { 202, L"Unlock", DISPATCH_METHOD, 0 }, { 203, L"Signal", DISPATCH_METHOD, 0 },
    { 204, L"WaitSignal", DISPATCH_METHOD, 1 },
};

static const struct member view_members[] =
{
    { 1, L"Offset", DISPATCH_PROPERTYGET, 0 }, { 2, L"Size", DISPATCH_PROPERTYGET, 0 },
    { 3, L"Access", DISPATCH_PROPERTYGET, 0 }, { 4, L"Region", DISPATCH_PROPERTYGET, 0 },
    { 5, L"IsMapped", DISPATCH_PROPERTYGET, 0 },
    { 100, L"ReadBytes", DISPATCH_METHOD, 2 }, { 101, L"WriteBytes", DISPATCH_METHOD, 2 },
    { 102, L"ReadString", DISPATCH_METHOD, 3 }, { 103, L"WriteString", DISPATCH_METHOD, 4 },
    { 104, L"ReadByte", DISPATCH_METHOD, 1 }, { 105, L"WriteByte", DISPATCH_METHOD, 2 },
    { 106, L"ReadInt32", DISPATCH_METHOD, 1 }, { 107, L"WriteInt32", DISPATCH_METHOD, 2 },
    { 108, L"ReadDouble", DISPATCH_METHOD, 1 }, { 109, L"WriteDouble", DISPATCH_METHOD, 2 },
    { 110, L"Fill", DISPATCH_METHOD, 3 }, { 111, L"Flush", DISPATCH_METHOD, 2 },
    { 112, L"ReadInt8", DISPATCH_METHOD, 1 }, { 113, L"WriteInt8", DISPATCH_METHOD, 2 },
    { 114, L"ReadInt16", DISPATCH_METHOD, 1 }, { 115, L"WriteInt16", DISPATCH_METHOD, 2 },
    { 116, L"ReadUInt16", DISPATCH_METHOD, 1 }, { 117, L"WriteUInt16", DISPATCH_METHOD, 2 },
    { 118, L"ReadUInt32", DISPATCH_METHOD, 1 }, { 119, L"WriteUInt32", DISPATCH_METHOD, 2 },
    { 120, L"ReadInt64", DISPATCH_METHOD, 1 }, { 121, L"WriteInt64", DISPATCH_METHOD, 2 },
    { 122, L"ReadUInt64", DISPATCH_METHOD, 1 }, { 123, L"WriteUInt64", DISPATCH_METHOD, 2 },
    { 124, L"ReadSingle", DISPATCH_METHOD, 1 }, { 125, L"WriteSingle", DISPATCH_METHOD, 2 },
    { 126, L"ReadArray", DISPATCH_METHOD, 3 }, { 127, L"WriteArray", DISPATCH_METHOD, 3 },
    { 128, L"ReadInto", DISPATCH_METHOD, 2 }, { 129, L"Unpack", DISPATCH_METHOD, 3 },
    { 130, L"Pack", DISPATCH_METHOD, 4 }, { 131, L"CalcSize", DISPATCH_METHOD, 1 },
    { 300, L"Unmap", DISPATCH_METHOD, 0 },
};

static const DISPID invalid_ids[] = { -1, -4, -5, 0, 16, 99, 132, 199, 205, 299, 301, 0x7fffffff, (DISPID)0x80000000 };

/* ---- the objects ---- */

static ISharedRegion *regions[REGIONS];
static ISharedView *views[VIEWS];
static WCHAR names[NAMES + 1][64], file_path[MAX_PATH], dir_path[MAX_PATH];

static void new_region_at(unsigned int i)
{
    if (regions[i]) ISharedRegion_Release(regions[i]);
    regions[i] = new_region();
}

/* ---- argument values ---- */

static const double numbers[] =
{
    0, 1, -1, 0.5, 2.5, -0.0, 7, 8, 100, 255, 256, 4095, 4096, 4097, 65535, 65536, 65537, 1048576,
    2147483647.0, 2147483648.0, 4294967296.0, 9007199254740992.0, 9007199254740994.0, 1e300, -1e300, 5e-324,
};

static double number(void)
{
    switch (pick(6))
    {
    case 0: return NAN;
    case 1: return pick(2) ? INFINITY : -INFINITY;
    case 2: return (double)pick(70000);
    case 3: return (double)pick(300);
    default: return numbers[pick(ARRAY_SIZE(numbers))];
    }
}

/* A size for a binding call: every kind of bad number, but a valid one stays small (no gigabyte
 * regions that a later Fill would really write). */
static double binding_size(void)
{
    static const double sizes[] = { 0, 1, 4096, 65536, 1048576, -1, 0.5, 9007199254740994.0, 1e300, -1e300 };
    switch (pick(3))
    {
    case 0: return NAN;
    case 1: return (double)(1 + pick(70000));
    default: return sizes[pick(ARRAY_SIZE(sizes))];
    }
}

static BSTR string(void)
{
    static const WCHAR *strings[] =
    {
        L"", L"0", L"12", L"abc", L"utf-8", L"utf-16", L"UTF-16LE", L"unicode", L"latin1", L"1e400", L"-1", L"NaN",
        L"True", L"Local\\", L"Global\\", L"a\\b", L"Local\\a\\b", L"D:P(A;;GA;;;WD)", L"D:(A;;ZZ;;;WD)", L"O:BAG:BA",
    };
    WCHAR buf[400];
    unsigned int i, n;

    switch (pick(10))
    {
    case 0: case 1: return SysAllocString(names[pick(NAMES + 1)]);
    case 2: return SysAllocString(pick(3) ? file_path : dir_path);
    case 3:
        n = pick(300) + 1;
        for (i = 0; i < n; i++) buf[i] = (WCHAR)(pick(4) ? 'a' + pick(26) : pick(0x10000));
        buf[n] = 0;
        if (pick(4) == 0) buf[pick(n)] = 0xd800;   /* an unpaired surrogate */
        return SysAllocStringLen(buf, n);           /* may hold a NUL */
    default: return SysAllocString(strings[pick(ARRAY_SIZE(strings))]);
    }
}

/* By-reference arguments point into this storage, which lives as long as the call. */
struct refs
{
    double r8[8];
    LONG i4[8];
    BSTR bstr[8];
    VARIANT var[8];
    SAFEARRAY *array[8];
    unsigned int used;
};

static void scalar(VARIANT *v, unsigned int kind);

static SAFEARRAY *random_array(VARTYPE *vt_out)
{
    static const VARTYPE types[] = { VT_UI1, VT_UI1, VT_VARIANT, VT_VARIANT, VT_I4, VT_R8, VT_BSTR, VT_I2, VT_DECIMAL,
                                     VT_BOOL, VT_I1 };
    VARTYPE vt = types[pick(ARRAY_SIZE(types))];
    LONG n = (LONG)pick(65), i;
    SAFEARRAY *sa;

    if (pick(20) == 0)
    {
        SAFEARRAYBOUND bounds[2] = { { 1 + pick(4), 0 }, { 1 + pick(4), (LONG)pick(3) } };
        sa = SafeArrayCreate(vt, 2, bounds);
        *vt_out = vt;
        return sa;
    }
    sa = SafeArrayCreateVector(vt, (LONG)pick(3) - 1, (ULONG)n);
    for (i = 0; i < n; i++)
    {
        LONG index = i + sa->rgsabound[0].lLbound;
        VARIANT el, conv;
        VariantInit(&el);
        VariantInit(&conv);
        if (vt == VT_VARIANT)
        {
            scalar(&el, pick(12));
            SafeArrayPutElement(sa, &index, &el);
        }
        else
        {
            V_VT(&el) = VT_R8;
            V_R8(&el) = pick(8) ? (double)pick(256) : number();
            if (SUCCEEDED(VariantChangeType(&conv, &el, 0, vt)))
            {
                if (vt == VT_BSTR) SafeArrayPutElement(sa, &index, V_BSTR(&conv));
                else if (vt == VT_DECIMAL) SafeArrayPutElement(sa, &index, &V_DECIMAL(&conv));
                else SafeArrayPutElement(sa, &index, &V_I1(&conv));
            }
        }
        VariantClear(&el);
        VariantClear(&conv);
    }
    /* Now and then the VARIANT says another element type than the array holds. */
    *vt_out = pick(25) ? vt : types[pick(ARRAY_SIZE(types))];
    return sa;
}

/* A VARIANT that owns what it holds (VariantClear frees it). */
static void scalar(VARIANT *v, unsigned int kind)
{
    VariantInit(v);
    switch (kind)
    {
    case 0: break;                                                   /* Empty */
    case 1: V_VT(v) = VT_NULL; break;
    case 2: V_VT(v) = VT_ERROR; V_ERROR(v) = pick(3) ? DISP_E_PARAMNOTFOUND : (SCODE)rnd(); break;
    case 3: V_VT(v) = VT_I4; V_I4(v) = (LONG)(pick(3) ? pick(70000) : rnd()); break;
    case 4: V_VT(v) = VT_I2; V_I2(v) = (SHORT)rnd(); break;
    case 5: case 6: V_VT(v) = VT_R8; V_R8(v) = number(); break;
    case 7: V_VT(v) = VT_BSTR; V_BSTR(v) = string(); break;
    case 8: V_VT(v) = VT_BOOL; V_BOOL(v) = pick(2) ? VARIANT_TRUE : VARIANT_FALSE; break;
    case 9: V_VT(v) = VT_DATE; V_DATE(v) = number(); break;
    case 10: V_VT(v) = VT_CY; V_CY(v).int64 = (LONGLONG)(pick(100000)) * 10000; break;
    case 11:
    {
        VARIANT n = vnum(pick(2) ? (double)pick(70000) : number());
        if (FAILED(VariantChangeType(v, &n, 0, VT_DECIMAL))) VariantInit(v);
        break;
    }
    case 12: V_VT(v) = VT_R4; V_R4(v) = (float)number(); break;
    case 13: V_VT(v) = VT_UI1; V_UI1(v) = (BYTE)rnd(); break;
    case 14: V_VT(v) = VT_I8; V_I8(v) = (LONGLONG)rnd() >> pick(64); break;
    case 15: V_VT(v) = VT_UI4; V_UI4(v) = (ULONG)rnd(); break;
    case 16:
    {
        /* One of our own objects, or Nothing. */
        IDispatch *d = NULL;
        unsigned int i = pick(REGIONS + VIEWS + 1);
        if (i < REGIONS) d = (IDispatch *)regions[i];
        else if (i < REGIONS + VIEWS) d = (IDispatch *)views[i - REGIONS];
        V_VT(v) = pick(4) ? VT_DISPATCH : VT_UNKNOWN;
        V_DISPATCH(v) = d;
        if (d) IDispatch_AddRef(d);
        break;
    }
    case 17: V_VT(v) = (VARTYPE)(0x40 + pick(16)); V_I8(v) = 0; break;   /* not a valid type */
    default:
    {
        VARTYPE vt;
        SAFEARRAY *sa = pick(30) ? random_array(&vt) : NULL;
        if (!sa) vt = VT_UI1;
        V_VT(v) = VT_ARRAY | vt;
        V_ARRAY(v) = sa;
        break;
    }
    }
}

/* An argument: usually a value the VARIANT owns; sometimes a reference into `refs`. */
static void argument(VARIANT *v, struct refs *refs, BOOL size_arg)
{
    VARIANT n;

    if (pick(100) < 88 || refs->used >= 8) scalar(v, pick(22));
    else
    {
        VariantInit(v);
        switch (pick(5))
        {
        case 0:
            refs->r8[refs->used] = number();
            V_VT(v) = VT_BYREF | VT_R8;
            V_R8REF(v) = &refs->r8[refs->used];
            break;
        case 1:
            refs->i4[refs->used] = (LONG)pick(70000);
            V_VT(v) = VT_BYREF | VT_I4;
            V_I4REF(v) = &refs->i4[refs->used];
            break;
        case 2:
            refs->bstr[refs->used] = string();
            V_VT(v) = VT_BYREF | VT_BSTR;
            V_BSTRREF(v) = &refs->bstr[refs->used];
            break;
        case 3:
            scalar(&refs->var[refs->used], pick(22));
            V_VT(v) = VT_BYREF | VT_VARIANT;
            V_VARIANTREF(v) = &refs->var[refs->used];
            break;
        default:
        {
            VARTYPE vt;
            refs->array[refs->used] = random_array(&vt);
            V_VT(v) = VT_BYREF | VT_ARRAY | vt;
            V_ARRAYREF(v) = &refs->array[refs->used];
            break;
        }
        }
        refs->used++;
    }
    if (!size_arg) return;
    /* A binding call's size: any bad value goes, but a valid one above 1 MiB is made small, or a
     * later Fill of the region would really write gigabytes. */
    if (pick(2)) n = vnum(binding_size());
    else
    {
        VariantInit(&n);
        if (FAILED(VariantChangeType(&n, v, 0, VT_R8))) return;
        if (!(V_R8(&n) > 1048576 && V_R8(&n) <= 9007199254740992.0 && V_R8(&n) == floor(V_R8(&n)))) return;
        n = vnum((double)(1 + pick(1048576)));
    }
    if (!(V_VT(v) & VT_BYREF)) VariantClear(v); /* references are freed with `refs` */
    *v = n;
}

/* An argument a script would plausibly pass to argument k of member id: the calls that succeed. */
static void plausible(VARIANT *v, DISPID id, unsigned int k, BOOL on_view)
{
    VariantInit(v);
    if (on_view && id < 100) return;
    switch (id * 10 + k)
    {
    case 10: case 20: case 30:                                   /* name */
        V_VT(v) = VT_BSTR;
        V_BSTR(v) = SysAllocString(names[pick(NAMES + 1)]);
        break;
    case 11: case 31: *v = vnum(4096 + pick(65536)); break;      /* size */
    case 40: V_VT(v) = VT_BSTR; V_BSTR(v) = SysAllocString(file_path); break;
    case 21: case 42: case 2002:                                 /* access */
        if (pick(2)) *v = missing(); else { V_VT(v) = VT_I4; V_I4(v) = pick(3); }
        break;
    case 1000: case 1010: case 1020: case 1030: case 1040: case 1050: case 1060: case 1070: case 1080: case 1090:
    case 1100: case 1110: case 2000:                             /* offset */
    case 1120: case 1130: case 1140: case 1150: case 1160: case 1170: case 1180: case 1190: case 1200: case 1210:
    case 1220: case 1230: case 1240: case 1250: case 1260: case 1270: case 1280: case 1290: case 1300:
        *v = vnum(pick(on_view ? 5000 : 8192));
        break;
    case 1001: case 1101: case 2001: *v = vnum(pick(512)); break; /* count, size */
    case 1011:
    {
        BYTE bytes[64];
        unsigned int i, n = pick(64);
        for (i = 0; i < n; i++) bytes[i] = (BYTE)rnd();
        *v = byte_array(bytes, n);
        break;
    }
    case 1031: V_VT(v) = VT_BSTR; V_BSTR(v) = string(); break;  /* text */
    case 1022: case 1032:                                        /* encoding */
        if (pick(3)) *v = missing(); else { V_VT(v) = VT_BSTR; V_BSTR(v) = SysAllocString(pick(2) ? L"utf-16" : L"utf-8"); }
        break;
    case 1051: case 1071: case 1102: V_VT(v) = VT_I4; V_I4(v) = pick(256); break;
    case 1091: *v = vnum(number()); break;
    case 2010: case 2040: V_VT(v) = VT_I4; V_I4(v) = 0; break;   /* timeoutMs */
    case 1131: case 1151: case 1171: case 1191: case 1251: *v = vnum(number()); break; /* typed values */
    case 1211: case 1231:                                        /* 64-bit values: a number or digits */
        if (pick(2)) *v = vnum(number()); else { V_VT(v) = VT_BSTR; V_BSTR(v) = SysAllocString(pick(2) ? L"-42" : L"18446744073709551615"); }
        break;
    case 1261: *v = vnum(pick(64)); break;                       /* ReadArray's count */
    case 1262: case 1272:                                        /* an element type */
    {
        static const WCHAR *types[] = { L"b", L"h", L"Single", L"d", L"UInt64", L"Q" };
        if (pick(2)) { V_VT(v) = VT_I4; V_I4(v) = pick(11); }
        else { V_VT(v) = VT_BSTR; V_BSTR(v) = SysAllocString(types[pick(ARRAY_SIZE(types))]); }
        break;
    }
    case 1271: case 1281:                                        /* WriteArray's values, ReadInto's buffer */
    {
        BYTE bytes[32];
        unsigned int i, n = pick(32);
        for (i = 0; i < n; i++) bytes[i] = (BYTE)rnd();
        *v = byte_array(bytes, n);
        break;
    }
    case 1291: case 1301: case 1310:                             /* a struct format */
    {
        static const WCHAR *formats[] = { L"<bbb", L"@bi", L"<hIq", L"<4s2w", L">fd", L"3B", L"<bZ" };
        V_VT(v) = VT_BSTR;
        V_BSTR(v) = SysAllocString(formats[pick(ARRAY_SIZE(formats))]);
        break;
    }
    case 1302:                                                   /* Pack's values: three small numbers */
    {
        VARIANT *items;
        unsigned int i;
        V_VT(v) = VT_ARRAY | VT_VARIANT;
        V_ARRAY(v) = SafeArrayCreateVector(VT_VARIANT, 0, 3);
        SafeArrayAccessData(V_ARRAY(v), (void **)&items);
        for (i = 0; i < 3; i++) items[i] = vnum(pick(300));
        SafeArrayUnaccessData(V_ARRAY(v));
        break;
    }
    case 1292: case 1303:                                        /* encoding */
        if (pick(3)) *v = missing(); else { V_VT(v) = VT_BSTR; V_BSTR(v) = SysAllocString(pick(2) ? L"cp1252" : L"latin-1"); }
        break;
    default: *v = missing(); break;
    }
}

static void free_refs(struct refs *refs)
{
    unsigned int i;
    for (i = 0; i < refs->used; i++)
    {
        SysFreeString(refs->bstr[i]);
        VariantClear(&refs->var[i]);
        if (refs->array[i]) SafeArrayDestroy(refs->array[i]);
    }
    memset(refs, 0, sizeof(*refs));
}

/* ---- the run ---- */

static struct
{
    unsigned int calls, ok, exceptions, plain_failures, harvested_views, replaced, binding_calls;
    HRESULT plain[16];
    unsigned int plain_count[16];
} stats;

static void count_plain_failure(HRESULT hr)
{
    unsigned int i;
    stats.plain_failures++;
    for (i = 0; i < ARRAY_SIZE(stats.plain); i++)
    {
        if (stats.plain_count[i] && stats.plain[i] != hr) continue;
        stats.plain[i] = hr;
        stats.plain_count[i]++;
        return;
    }
}

static void one_call(void)
{
    BOOL on_view = pick(10) < 3;
    unsigned int slot = on_view ? pick(VIEWS) : pick(REGIONS), i;
    IDispatch *target = on_view ? (IDispatch *)views[slot] : (IDispatch *)regions[slot];
    const struct member *m = NULL;
    DISPID id, named[8];
    DISPPARAMS dp;
    VARIANT args[8], result;
    EXCEPINFO ei;
    struct refs refs;
    UINT argerr = ~0u, argc;
    WORD flags;
    BOOL want_result = pick(8) != 0, want_excep = pick(10) != 0, want_argerr = pick(2);
    HRESULT hr;

    if (!target && on_view)
    {
        on_view = FALSE;
        slot = pick(REGIONS);
    }
    if (!on_view && !regions[slot]) new_region_at(slot);
    target = on_view ? (IDispatch *)views[slot] : (IDispatch *)regions[slot];
    if (pick(8))
    {
        m = on_view ? &view_members[pick(ARRAY_SIZE(view_members))] : &region_members[pick(ARRAY_SIZE(region_members))];
        id = m->id;
    }
    else id = pick(2) ? invalid_ids[pick(ARRAY_SIZE(invalid_ids))] : (DISPID)rnd();

    /* Flags: usually right, sometimes anything. */
    switch (pick(10))
    {
    case 0: flags = (WORD)pick(16); break;
    case 1: flags = DISPATCH_PROPERTYPUT; break;
    case 2: flags = DISPATCH_METHOD | DISPATCH_PROPERTYGET; break;
    default: flags = m ? m->flags : DISPATCH_METHOD; break;
    }
    /* Argument count: usually what it takes, or one fewer or more, sometimes anything up to 8. */
    argc = m ? m->args : 0;
    switch (pick(8))
    {
    case 0: argc = pick(9); break;
    case 1: argc = argc ? argc - 1 : 0; break;
    case 2: argc = argc < 8 ? argc + 1 : argc; break;
    case 3: argc = argc ? pick(argc + 1) : 0; break;
    default: break;
    }

    memset(&refs, 0, sizeof(refs));
    if (m && pick(3) == 0)
    {
        /* A plausible call: the right flags and count, arguments a script would pass. */
        flags = m->flags;
        argc = m->args;
        for (i = 0; i < argc; i++) plausible(&args[i], id, argc - 1 - i, on_view);
    }
    else
    for (i = 0; i < argc; i++)
    {
        /* rgvarg is in reverse order: the member's argument k is rgvarg[argc - 1 - k]. */
        unsigned int k = argc - 1 - i;
        BOOL size_arg = !on_view && ((id == 1 || id == 3) ? k == 1 : id == 4 ? k == 1 : FALSE);
        argument(&args[i], &refs, size_arg);
    }
    dp.rgvarg = argc ? args : NULL;
    dp.cArgs = argc;
    dp.cNamedArgs = 0;
    dp.rgdispidNamedArgs = NULL;
    if (argc && (flags & (DISPATCH_PROPERTYPUT | DISPATCH_PROPERTYPUTREF)) && pick(3))
    {
        named[0] = DISPID_PROPERTYPUT;
        dp.cNamedArgs = 1;
        dp.rgdispidNamedArgs = named;
    }
    else if (argc && pick(30) == 0)
    {
        dp.cNamedArgs = 1 + pick(argc);
        for (i = 0; i < dp.cNamedArgs; i++) named[i] = pick(4) ? (DISPID)pick(5) : (DISPID)rnd();
        dp.rgdispidNamedArgs = named;
    }

    /* WaitSignal with no timeout would wait for a Signal nobody else sends: signal first. */
    if (!on_view && id == 204) ISharedRegion_Signal(regions[slot]);
    if (!on_view && id >= 1 && id <= 4) stats.binding_calls++;

    if (getenv("SR_FUZZ_DEBUG") && getenv("SR_FUZZ_TRACE"))
    {
        print_message("call %u: %s %u id %ld flags %#x argc %u named %u:", stats.calls, on_view ? "view" : "region", slot,
                      id, flags, argc, dp.cNamedArgs);
        for (i = 0; i < argc; i++) print_message(" %#x", V_VT(&args[argc - 1 - i]));
        print_message("\n");
    }
    memset(&ei, 0, sizeof(ei));
    VariantInit(&result);
    hr = IDispatch_Invoke(target, id, &IID_NULL, LOCALE_USER_DEFAULT, flags, &dp, want_result ? &result : NULL,
                          want_excep ? &ei : NULL, want_argerr ? &argerr : NULL);
    stats.calls++;

    if (hr == DISP_E_EXCEPTION)
    {
        stats.exceptions++;
        if (want_excep)
        {
            const struct member *known = NULL;
            const struct member *list = on_view ? view_members : region_members;
            unsigned int n = on_view ? ARRAY_SIZE(view_members) : ARRAY_SIZE(region_members);
            if (ei.pfnDeferredFillIn) ei.pfnDeferredFillIn(&ei);
            for (i = 0; i < n; i++) if (list[i].id == id) known = &list[i];
            if (!ei.bstrDescription || !*ei.bstrDescription || !FAILED(ei.scode))
                fail_msg("call %u: DISPID %ld failed without a description or code", stats.calls, id);
            if (known)
            {
                size_t len = wcslen(known->name);
                if (wcsncmp(ei.bstrDescription, known->name, len) || ei.bstrDescription[len] != ':')
                    fail_msg("call %u: the description of DISPID %ld does not name %ls: '%ls'", stats.calls, id,
                             known->name, ei.bstrDescription);
            }
        }
    }
    else if (FAILED(hr))
    {
        BOOL known = FALSE;
        const struct member *list = on_view ? view_members : region_members;
        unsigned int n = on_view ? ARRAY_SIZE(view_members) : ARRAY_SIZE(region_members);
        for (i = 0; i < n; i++) if (list[i].id == id) known = TRUE;
        /* A known member, with somewhere to put a description, always gets one. */
        if (known && want_excep)
            fail_msg("call %u: DISPID %ld flags %#x argc %u failed with %#lx and no description", stats.calls, id,
                     flags, argc, hr);
        count_plain_failure(hr);
    }
    else stats.ok++;
    SysFreeString(ei.bstrDescription);
    SysFreeString(ei.bstrSource);
    SysFreeString(ei.bstrHelpFile);

    /* A new view goes into the pool (the oldest in its slot is released). */
    if (want_result && V_VT(&result) == VT_DISPATCH && V_DISPATCH(&result) && !on_view && id == 200)
    {
        unsigned int v = pick(VIEWS);
        if (views[v]) ISharedView_Release(views[v]);
        if (FAILED(IDispatch_QueryInterface(V_DISPATCH(&result), &IID_ISharedView, (void **)&views[v])))
            fail_msg("MapView returned something that is not a view");
        stats.harvested_views++;
    }
    VariantClear(&result);
    for (i = 0; i < argc; i++)
        if (!(V_VT(&args[i]) & VT_BYREF)) VariantClear(&args[i]);
    free_refs(&refs);

    /* Now and then a region object is replaced by a new (closed) one, and a view is dropped. */
    if (pick(200) == 0)
    {
        new_region_at(pick(REGIONS));
        stats.replaced++;
    }
    if (pick(300) == 0)
    {
        unsigned int v = pick(VIEWS);
        if (views[v]) ISharedView_Release(views[v]);
        views[v] = NULL;
    }
}

static void release_all(void)
{
    unsigned int i;
    for (i = 0; i < VIEWS; i++) if (views[i]) ISharedView_Release(views[i]);
    for (i = 0; i < REGIONS; i++) if (regions[i]) ISharedRegion_Release(regions[i]);
    memset(views, 0, sizeof(views));
    memset(regions, 0, sizeof(regions));
}

/* Debugging aid (SR_FUZZ_DEBUG): the first call after which a region holds more references than
 * the pool and the pool's views account for. */
static void check_refs(const char *when)
{
    unsigned int i, k;
    for (i = 0; i < REGIONS; i++)
    {
        ULONG have, expect = 1;
        if (!regions[i]) continue;
        for (k = 0; k < VIEWS; k++)
        {
            ISharedRegion *owner = NULL;
            if (views[k] && ISharedView_get_Region(views[k], &owner) == S_OK)
            {
                if (owner == regions[i]) expect++;
                ISharedRegion_Release(owner);
            }
        }
        ISharedRegion_AddRef(regions[i]);
        have = ISharedRegion_Release(regions[i]);
        if (have != expect) fail_msg("%s: region %u has %lu references, expected %lu", when, i, have, expect);
    }
}

static void test_random_invoke_calls(void **state)
{
    unsigned int calls = CALLS, views0, views1, i, n_before;
    static USHORT before[4096], after[4096];
    ULONGLONG mapped0, mapped1;
    LONG handles0, handles1;
    char env[32];
    double start, elapsed;
    BOOL capped = FALSE;

    if (GetEnvironmentVariableA("SR_FUZZ_SEED", env, sizeof(env))) seed = _strtoui64(env, NULL, 0);
    if (GetEnvironmentVariableA("SR_FUZZ_CALLS", env, sizeof(env))) calls = strtoul(env, NULL, 0);
    print_message("[  SEED    ] %#llx (SR_FUZZ_SEED replays it)\n", seed);

    for (i = 0; i < NAMES; i++)
        swprintf(names[i], ARRAY_SIZE(names[i]), L"%lssr-fuzz-%lu-%u", i == 3 ? L"Global\\" : L"",
                 GetCurrentProcessId(), i);
    names[NAMES][0] = 0; /* anonymous */
    temp_path(file_path, MAX_PATH, L"fuzz");
    assert_true(write_file(file_path, 65536, TRUE));
    GetTempPathW(ARRAY_SIZE(dir_path), dir_path);

    /* A warm-up with another stream, so that what the system opens once and keeps (COM's registry
     * keys, the type library, locale data) is in the baseline; then everything is released. */
    {
        ULONGLONG main_seed = seed;
        seed ^= 0xa5a5a5a5a5a5a5a5ULL;
        for (i = 0; i < REGIONS; i++) new_region_at(i);
        for (i = 0; i < 5000; i++) one_call();
        release_all();
        assert_int_equal(server_can_unload_now(), S_OK);
        memset(&stats, 0, sizeof(stats));
        seed = main_seed;
    }
    mapped0 = mapped_bytes(&views0);
    handles0 = process_handle_count();
    n_before = process_handles(before, ARRAY_SIZE(before));

    /* A start: a named region, an anonymous one, a file, a view; the rest closed. */
    for (i = 0; i < REGIONS; i++) new_region_at(i);
    {
        BSTR b = SysAllocString(names[0]);
        ISharedRegion_Create(regions[0], b, 65536, missing());
        SysFreeString(b);
        b = SysAllocString(L"");
        ISharedRegion_Create(regions[1], b, 4096, missing());
        SysFreeString(b);
        b = SysAllocString(file_path);
        ISharedRegion_OpenFile(regions[2], b, missing(), missing(), missing());
        SysFreeString(b);
        ISharedRegion_MapView(regions[0], 100, 5000, missing(), &views[0]);
    }

    start = now_ms();
    for (i = 0; i < calls; i++)
    {
        one_call();
        if (getenv("SR_FUZZ_DEBUG")) { char when[32]; sprintf(when, "call %u", i); check_refs(when); }
        if ((i & 1023) == 0 && now_ms() - start > TIME_CAP_MS)
        {
            capped = TRUE;
            break;
        }
    }
    elapsed = now_ms() - start;

    release_all();

    print_message("[ FIGURES  ] fuzz: %u IDispatch::Invoke calls in %.1f s%s: %u succeeded, %u failed with a "
                  "description (DISP_E_EXCEPTION), %u failed plainly; %u binding calls, %u views harvested, %u "
                  "objects replaced\n", stats.calls, elapsed / 1000, capped ? " (STOPPED AT THE TIME CAP)" : "",
                  stats.ok, stats.exceptions, stats.plain_failures, stats.binding_calls, stats.harvested_views,
                  stats.replaced);
    for (i = 0; i < ARRAY_SIZE(stats.plain) && stats.plain_count[i]; i++)
        print_message("[ FIGURES  ]   plain failure %#lx: %u calls\n", stats.plain[i], stats.plain_count[i]);

    assert_int_equal(server_can_unload_now(), S_OK);
    for (i = 0; i < NAMES; i++)
    {
        WCHAR full[100];
        HANDLE h;
        swprintf(full, ARRAY_SIZE(full), L"%ls%ls", i == 3 ? L"" : L"Local\\", names[i]);
        h = OpenFileMappingW(FILE_MAP_READ, FALSE, full);
        if (h) { CloseHandle(h); fail_msg("%ls is still there", full); }
    }
    mapped1 = mapped_bytes(&views1);
    handles1 = process_handle_count();
    print_message("[ FIGURES  ] fuzz: afterwards mapped views %u -> %u, handles %ld -> %ld\n", views0, views1,
                  handles0, handles1);
    {
        unsigned int n_after = process_handles(after, ARRAY_SIZE(after)), a, b;
        for (a = 0; a < n_after; a++)
        {
            WCHAR what[600];
            for (b = 0; b < n_before && before[b] != after[a]; b++) ;
            if (b < n_before) continue;
            describe_handle((HANDLE)(ULONG_PTR)after[a], what, ARRAY_SIZE(what));
            print_message("[  NOTE    ] a handle opened during the run: %#x %ls\n", after[a], what);
        }
    }
    assert_int_equal(views1, views0);
    assert_true(mapped1 == mapped0);
    assert_false(capped);
    assert_true(stats.calls >= calls);
    if (handles0 < 0 || handles1 < 0)
    {
        print_message("[  SKIP    ] the handle count: the system does not list handles "
                      "(NtQuerySystemInformation(SystemHandleInformation) failed), so it cannot be compared\n");
        skip();
    }
    assert_int_equal(handles1, handles0);
}

/* ---- the size and count limits through the members (docs/hardening.md, "Size and count limits") ----
 *
 * A deterministic stream of formats of one pad and one code ("2147483647xq", "<268435457d" ...) and of
 * ReadArray and WriteArray counts, built from counts near 2^28, 2^31 and 2^32 and a few either side, for
 * every code, prefix and element type; each call made through the vtable and through IDispatch::Invoke.
 * A model of the layout, a few lines in 64-bit arithmetic, says what each call must return: CalcSize the
 * exact size or E_INVALIDARG; Unpack S_OK only for a struct that fits the 64 KiB region; Pack (given a
 * value too many) and every oversized read or write E_INVALIDARG, with a description that names the
 * member. The region's bytes never change. */

#define LIMIT_BYTES 0x7fffffffULL        /* the largest struct, array or count of bytes one call moves */
#define LIMIT_ITEMS 89478485ULL          /* the most VARIANTs in one array: LIMIT_BYTES / 24 */
#define LIMIT_REGION 65536

static ULONGLONG near_limit(void)
{
    static const ULONGLONG anchors[] = { 1ULL << 28, 1ULL << 31, 1ULL << 32, LIMIT_ITEMS, 178956971, 268435457 };
    ULONGLONG base = anchors[pick(ARRAY_SIZE(anchors))], delta = pick(9);
    switch (pick(5))
    {
    case 0: return pick(20);
    case 1: base /= 8; break;            /* near the same sizes in 8-byte elements */
    case 2: base /= 2; break;
    default: break;
    }
    return pick(2) ? base + delta : (base > delta ? base - delta : 0);
}

/* One member call through the vtable or IDispatch; the HRESULT a script sees and, on failure, the
 * description (it must name the member). */
static HRESULT limit_call(ISharedData *d, BOOL disp, const WCHAR *member, VARIANT *result, int argc, VARIANT *args)
{
    HRESULT hr;

    VariantInit(result);
    if (disp)
    {
        switch (argc)
        {
        case 1: hr = disp_method(d, member, result, 1, args[0]); break;
        case 3: hr = disp_method(d, member, result, 3, args[0], args[1], args[2]); break;
        default: hr = disp_method(d, member, result, 4, args[0], args[1], args[2], args[3]); break;
        }
        if (FAILED(hr)) assert_error_text_impl(disp_description, member, __FILE__, __LINE__);
        return hr;
    }
    if (!wcscmp(member, L"CalcSize"))
    {
        V_VT(result) = VT_I4;
        hr = ISharedData_CalcSize(d, V_BSTR(&args[0]), &V_I4(result));
    }
    else if (!wcscmp(member, L"Unpack")) hr = ISharedData_Unpack(d, V_R8(&args[0]), V_BSTR(&args[1]), args[2], result);
    else if (!wcscmp(member, L"Pack"))
    {
        V_VT(result) = VT_I4;
        hr = ISharedData_Pack(d, V_R8(&args[0]), V_BSTR(&args[1]), args[2], args[3], &V_I4(result));
    }
    else if (!wcscmp(member, L"ReadArray")) hr = ISharedData_ReadArray(d, V_R8(&args[0]), V_R8(&args[1]), args[2], result);
    else
    {
        V_VT(result) = VT_I4;
        hr = ISharedData_WriteArray(d, V_R8(&args[0]), args[1], args[2], &V_I4(result));
    }
    if (FAILED(hr)) assert_error_text(member);
    return hr;
}

static void expect_hr(HRESULT got, HRESULT expected, unsigned int c, const WCHAR *member, const WCHAR *what)
{
    if (got != expected)
        fail_msg("case %u: %ls(%ls): hr %#lx, expected %#lx (%ls)", c, member, what, got, expected, error_description());
}

static void test_limits_near_2_28_2_31_and_2_32_through_the_members(void **state)
{
    static const struct { WCHAR code; unsigned int size, align; } codes[] =
    {
        { 'x', 1, 1 }, { 'c', 1, 1 }, { 'B', 1, 1 }, { '?', 1, 1 }, { 'h', 2, 2 }, { 'e', 2, 2 }, { 'i', 4, 4 },
        { 'L', 4, 4 }, { 'f', 4, 4 }, { 'q', 8, 8 }, { 'd', 8, 8 }, { 's', 1, 1 }, { 'p', 1, 1 }, { 'w', 2, 2 },
        { 'P', sizeof(void *), sizeof(void *) },
    };
    static const struct { const WCHAR *name; VARTYPE vt; unsigned int size; } types[] =
    {
        { L"b", VT_I1, 1 }, { L"B", VT_UI1, 1 }, { L"Int16", VT_I2, 2 }, { L"UInt32", VT_UI4, 4 },
        { L"Single", VT_R4, 4 }, { L"d", VT_R8, 8 }, { L"q", VT_I8, 8 },
    };
    static const WCHAR *prefixes[] = { L"", L"@", L"<", L">" };
    static BYTE memory[64];
    ISharedRegion *r = new_region();
    ISharedData *d;
    struct raw_view raw;
    WCHAR name[64], kernel[80], fmt[96];
    BYTE pattern[LIMIT_REGION];
    ULONGLONG sum;
    VARIANT args[4], result, one[2], values1, values2;
    unsigned int c, refused = 0, taken = 0;

    (void)state;
    seed = 0x2e2816ULL; /* a stream of its own, whatever the test before it drew */
    swprintf(name, ARRAY_SIZE(name), L"sr-fuzz-limits-%lu", GetCurrentProcessId());
    swprintf(kernel, ARRAY_SIZE(kernel), L"Local\\%ls", name);
    {
        BSTR b = SysAllocString(name);
        assert_int_equal(ISharedRegion_Create(r, b, LIMIT_REGION, missing()), S_OK);
        SysFreeString(b);
    }
    fill_pattern(pattern, sizeof(pattern), 0);
    args[0] = byte_array(pattern, sizeof(pattern));
    assert_int_equal(ISharedRegion_WriteBytes(r, 0, args[0]), S_OK);
    VariantClear(&args[0]);
    raw_open(&raw, kernel, LIMIT_REGION);
    sum = raw_checksum(&raw);
    assert_int_equal(ISharedRegion_QueryInterface(r, &IID_ISharedData, (void **)&d), S_OK);
    one[0] = vnum(1);
    one[1] = vnum(2);
    V_VT(&values1) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(&values1) = SafeArrayCreateVector(VT_VARIANT, 0, 1);
    V_VT(&values2) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(&values2) = SafeArrayCreateVector(VT_VARIANT, 0, 2);
    {
        LONG i;
        for (i = 0; i < 2; i++) SafeArrayPutElement(V_ARRAY(&values2), &i, &one[i]);
        i = 0;
        SafeArrayPutElement(V_ARRAY(&values1), &i, &one[0]);
    }

    for (c = 0; c < 3000; c++)
    {
        BOOL disp = c & 1, native;
        const WCHAR *prefix = prefixes[pick(ARRAY_SIZE(prefixes))];
        unsigned int k = pick(ARRAY_SIZE(codes)), t = pick(ARRAY_SIZE(types));
        ULONGLONG pad = pick(3) ? near_limit() : pick(8), n = near_limit(), size, fields, align;
        BOOL ok = TRUE;
        HRESULT hr;

        native = !prefix[0] || prefix[0] == '@';
        if (!native && codes[k].code == 'P') k = 0;
        swprintf(fmt, ARRAY_SIZE(fmt), L"%ls%I64ux%I64u%lc", prefix, pad, n, codes[k].code);
        /* The model: Python's layout in 64 bits, every count and the whole at most LIMIT_BYTES. */
        align = native ? codes[k].align : 1;
        size = pad;
        if (pad > LIMIT_BYTES || n > LIMIT_BYTES) ok = FALSE;
        if (size % align) size += align - size % align;
        if (ok && size + n * codes[k].size > LIMIT_BYTES) ok = FALSE;
        size += n * codes[k].size;
        fields = codes[k].code == 'x' ? 0
               : (codes[k].code == 's' || codes[k].code == 'p' || codes[k].code == 'w') ? 1 : n;

        args[0] = vstr(fmt);
        hr = limit_call(d, disp, L"CalcSize", &result, 1, args);
        expect_hr(hr, ok ? S_OK : E_INVALIDARG, c, L"CalcSize", fmt);
        if (ok && (ULONGLONG)V_I4(&result) != size)
            fail_msg("case %u: CalcSize(%ls) = %ld, expected %I64u", c, fmt, V_I4(&result), size);
        VariantClear(&result);
        VariantClear(&args[0]);

        /* Unpack reads latin-1 text (every byte is a character): only the fit decides. */
        args[0] = vnum(0);
        args[1] = vstr(fmt);
        args[2] = vstr(L"latin-1");
        hr = limit_call(d, disp, L"Unpack", &result, 3, args);
        expect_hr(hr, ok && fields <= LIMIT_ITEMS && size <= LIMIT_REGION ? S_OK : E_INVALIDARG, c, L"Unpack", fmt);
        VariantClear(&result);
        /* Pack: a value more than the fields (or two for none), so never a write. */
        args[2] = fields == 1 ? values2 : values1;
        args[3] = missing();
        hr = limit_call(d, disp, L"Pack", &result, 4, args);
        expect_hr(hr, E_INVALIDARG, c, L"Pack", fmt);
        VariantClear(&args[1]);
        if (ok && size <= LIMIT_REGION) taken++; else refused++;

        /* ReadArray: the bytes, the VARIANTs, the bounds. */
        args[0] = vnum(0);
        args[1] = vnum((double)n);
        args[2] = vstr(types[t].name);
        hr = limit_call(d, disp, L"ReadArray", &result, 3, args);
        expect_hr(hr, n * types[t].size <= LIMIT_REGION ? S_OK : E_INVALIDARG, c, L"ReadArray", types[t].name);
        VariantClear(&result);
        /* WriteArray, through the vtable (IDispatch copies a by-value array), of a typed array that claims n
         * elements over 64 bytes: refused by its count before an element is read. */
        if (n * types[t].size > LIMIT_REGION)
        {
            SAFEARRAY *sa = claimed_array(types[t].vt, (ULONG)(n > 0xffffffffULL ? 0xffffffffULL : n), memory);
            V_VT(&args[1]) = VT_ARRAY | types[t].vt;
            V_ARRAY(&args[1]) = sa;
            hr = limit_call(d, FALSE, L"WriteArray", &result, 3, args);
            expect_hr(hr, E_INVALIDARG, c, L"WriteArray", types[t].name);
            assert_int_equal(sa->cLocks, 0);
            assert_int_equal(SafeArrayDestroyDescriptor(sa), S_OK);
        }
        VariantClear(&args[2]);
        if ((c & 255) == 255 && raw_checksum(&raw) != sum) fail_msg("case %u: the region's bytes changed", c);
    }
    assert_true(raw_checksum(&raw) == sum);
    print_message("[ FIGURES  ] limits: 3000 formats and counts near 2^28, 2^31 and 2^32, each through five members, "
                  "half through IDispatch: %u structs taken, %u refused as the model says, the region unchanged\n",
                  taken, refused);
    assert_true(refused > 1000 && taken > 100);
    VariantClear(&values1);
    VariantClear(&values2);
    raw_close(&raw);
    ISharedData_Release(d);
    ISharedRegion_Release(r);
}

/* Teardown: the scratch file goes whether the test passed or failed (a run that failed half-way
 * still holds objects that map it: they go first). */
static int delete_scratch_file(void **state)
{
    (void)state;
    release_all();
    if (file_path[0] && !DeleteFileW(file_path) && GetLastError() != ERROR_FILE_NOT_FOUND)
        print_message("could not delete %ls (error %lu)\n", file_path, GetLastError());
    file_path[0] = 0;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_random_invoke_calls, delete_scratch_file),
        cmocka_unit_test(test_limits_near_2_28_2_31_and_2_32_through_the_members),
    };
    return cmocka_run_group_tests_name("fuzz", tests, com_setup, com_teardown);
}
