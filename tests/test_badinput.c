/*
 * SharedRegion tests: bad input, table-driven. Every member of every interface, with every class of
 * bad input that applies to it, through the vtable and through IDispatch::Invoke by name. Each case
 * asserts the exact HRESULT, a description that starts with the member's name (IErrorInfo on the
 * vtable, EXCEPINFO through IDispatch), that out-values were cleared, and that the region's bytes
 * are unchanged (a checksum of the whole section, read through a mapping of our own).
 */
#include <math.h>
#include "hardening.h"

#define REGION_SIZE 65536
#define VIEW_OFFSET 4196        /* not aligned: the server hides the slack */
#define VIEW_SIZE   8192
#define FILE_SIZE   16384
#define TWO53       9007199254740992.0

/* ---- what a case calls ---- */

enum target
{
    T_DATA,          /* expands to T_REGION and T_VIEW */
    T_SHUT,          /* expands to T_CLOSED and T_UNMAPPED */
    T_RO,            /* expands to T_RO_REGION and T_RO_VIEW */
    T_REGION,        /* an open ReadWrite region of REGION_SIZE bytes, filled with the pattern */
    T_VIEW,          /* a view of it: VIEW_SIZE bytes at VIEW_OFFSET */
    T_CLOSED,        /* a region object that was opened and closed */
    T_UNMAPPED,      /* a view that was unmapped */
    T_RO_REGION,     /* the region opened ReadOnly by name */
    T_RO_VIEW,       /* a view of that */
    T_FILE_RO,       /* a ReadOnly region on a file */
    T_MEMORY,        /* the view's ISharedViewMemory */
    T_UNMAPPED_MEMORY,
    T_FRESH,         /* a new, closed region object for this case alone */
};

enum member
{
    M_Create, M_Open, M_OpenOrCreate, M_OpenFile, M_Close,
    M_Name, M_Size, M_Access, M_IsOpen, M_Created, M_FilePath, M_LockAbandoned,
    M_ReadBytes, M_WriteBytes, M_ReadString, M_WriteString, M_ReadByte, M_WriteByte,
    M_ReadInt32, M_WriteInt32, M_ReadDouble, M_WriteDouble, M_Fill, M_Flush,
    M_ReadInt8, M_WriteInt8, M_ReadInt16, M_WriteInt16, M_ReadUInt16, M_WriteUInt16, M_ReadUInt32, M_WriteUInt32,
    M_ReadInt64, M_WriteInt64, M_ReadUInt64, M_WriteUInt64, M_ReadSingle, M_WriteSingle,
    M_ReadArray, M_WriteArray, M_ReadInto, M_Unpack, M_Pack, M_CalcSize,
    M_MapView, M_Lock, M_Unlock, M_Signal, M_WaitSignal,
    M_Offset, M_Region, M_IsMapped, M_Unmap,
    M_GetAddress,
    /* COM plumbing: IUnknown and IDispatch themselves */
    M_QueryInterface, M_GetTypeInfoCount, M_GetTypeInfo, M_GetIDsOfNames, M_Invoke,
};

enum out_kind { O_NONE, O_VARIANT, O_BSTR, O_LONG, O_BYTE, O_DOUBLE, O_BOOL, O_PTR, O_ENUM, O_SHORT };

static const struct
{
    const WCHAR *name;
    WORD flags;              /* how IDispatch::Invoke calls it */
    enum out_kind out;
} members[] =
{
    [M_Create] = { L"Create", DISPATCH_METHOD, O_NONE },
    [M_Open] = { L"Open", DISPATCH_METHOD, O_NONE },
    [M_OpenOrCreate] = { L"OpenOrCreate", DISPATCH_METHOD, O_BOOL },
    [M_OpenFile] = { L"OpenFile", DISPATCH_METHOD, O_NONE },
    [M_Close] = { L"Close", DISPATCH_METHOD, O_NONE },
    [M_Name] = { L"Name", DISPATCH_PROPERTYGET, O_BSTR },
    [M_Size] = { L"Size", DISPATCH_PROPERTYGET, O_DOUBLE },
    [M_Access] = { L"Access", DISPATCH_PROPERTYGET, O_ENUM },
    [M_IsOpen] = { L"IsOpen", DISPATCH_PROPERTYGET, O_BOOL },
    [M_Created] = { L"Created", DISPATCH_PROPERTYGET, O_BOOL },
    [M_FilePath] = { L"FilePath", DISPATCH_PROPERTYGET, O_BSTR },
    [M_LockAbandoned] = { L"LockAbandoned", DISPATCH_PROPERTYGET, O_BOOL },
    [M_ReadBytes] = { L"ReadBytes", DISPATCH_METHOD, O_VARIANT },
    [M_WriteBytes] = { L"WriteBytes", DISPATCH_METHOD, O_NONE },
    [M_ReadString] = { L"ReadString", DISPATCH_METHOD, O_BSTR },
    [M_WriteString] = { L"WriteString", DISPATCH_METHOD, O_LONG },
    [M_ReadByte] = { L"ReadByte", DISPATCH_METHOD, O_BYTE },
    [M_WriteByte] = { L"WriteByte", DISPATCH_METHOD, O_NONE },
    [M_ReadInt32] = { L"ReadInt32", DISPATCH_METHOD, O_LONG },
    [M_WriteInt32] = { L"WriteInt32", DISPATCH_METHOD, O_NONE },
    [M_ReadDouble] = { L"ReadDouble", DISPATCH_METHOD, O_DOUBLE },
    [M_WriteDouble] = { L"WriteDouble", DISPATCH_METHOD, O_NONE },
    [M_Fill] = { L"Fill", DISPATCH_METHOD, O_NONE },
    [M_Flush] = { L"Flush", DISPATCH_METHOD, O_NONE },
    [M_ReadInt8] = { L"ReadInt8", DISPATCH_METHOD, O_SHORT },
    [M_WriteInt8] = { L"WriteInt8", DISPATCH_METHOD, O_NONE },
    [M_ReadInt16] = { L"ReadInt16", DISPATCH_METHOD, O_SHORT },
    [M_WriteInt16] = { L"WriteInt16", DISPATCH_METHOD, O_NONE },
    [M_ReadUInt16] = { L"ReadUInt16", DISPATCH_METHOD, O_LONG },
    [M_WriteUInt16] = { L"WriteUInt16", DISPATCH_METHOD, O_NONE },
    [M_ReadUInt32] = { L"ReadUInt32", DISPATCH_METHOD, O_DOUBLE },
    [M_WriteUInt32] = { L"WriteUInt32", DISPATCH_METHOD, O_NONE },
    [M_ReadInt64] = { L"ReadInt64", DISPATCH_METHOD, O_VARIANT },
    [M_WriteInt64] = { L"WriteInt64", DISPATCH_METHOD, O_NONE },
    [M_ReadUInt64] = { L"ReadUInt64", DISPATCH_METHOD, O_VARIANT },
    [M_WriteUInt64] = { L"WriteUInt64", DISPATCH_METHOD, O_NONE },
    [M_ReadSingle] = { L"ReadSingle", DISPATCH_METHOD, O_DOUBLE },
    [M_WriteSingle] = { L"WriteSingle", DISPATCH_METHOD, O_NONE },
    [M_ReadArray] = { L"ReadArray", DISPATCH_METHOD, O_VARIANT },
    [M_WriteArray] = { L"WriteArray", DISPATCH_METHOD, O_LONG },
    [M_ReadInto] = { L"ReadInto", DISPATCH_METHOD, O_LONG },
    [M_Unpack] = { L"Unpack", DISPATCH_METHOD, O_VARIANT },
    [M_Pack] = { L"Pack", DISPATCH_METHOD, O_LONG },
    [M_CalcSize] = { L"CalcSize", DISPATCH_METHOD, O_LONG },
    [M_MapView] = { L"MapView", DISPATCH_METHOD, O_PTR },
    [M_Lock] = { L"Lock", DISPATCH_METHOD, O_BOOL },
    [M_Unlock] = { L"Unlock", DISPATCH_METHOD, O_NONE },
    [M_Signal] = { L"Signal", DISPATCH_METHOD, O_NONE },
    [M_WaitSignal] = { L"WaitSignal", DISPATCH_METHOD, O_BOOL },
    [M_Offset] = { L"Offset", DISPATCH_PROPERTYGET, O_DOUBLE },
    [M_Region] = { L"Region", DISPATCH_PROPERTYGET, O_PTR },
    [M_IsMapped] = { L"IsMapped", DISPATCH_PROPERTYGET, O_BOOL },
    [M_Unmap] = { L"Unmap", DISPATCH_METHOD, O_NONE },
    [M_GetAddress] = { L"GetAddress", 0, O_PTR },
    [M_QueryInterface] = { L"QueryInterface", 0, O_PTR },
    [M_GetTypeInfoCount] = { L"GetTypeInfoCount", 0, O_LONG },
    [M_GetTypeInfo] = { L"GetTypeInfo", 0, O_PTR },
    [M_GetIDsOfNames] = { L"GetIDsOfNames", 0, O_LONG },
    [M_Invoke] = { L"Invoke", 0, O_NONE },
};

/* ---- arguments ---- */

enum arg_kind
{
    A_NONE,          /* not passed (IDispatch); a missing optional VARIANT (vtable) */
    A_R8,            /* VT_R8 d */
    A_I4,            /* VT_I4 d */
    A_END,           /* VT_R8: the target's size + d */
    A_STR,           /* VT_BSTR s; "@..." names a fixture string (see fixture_string) */
    A_STRNUL,        /* VT_BSTR s, a NUL, then "x" */
    A_REPEAT,        /* VT_BSTR: d copies of s[0] */
    A_MISSING,       /* VT_ERROR DISP_E_PARAMNOTFOUND: what VBScript passes for an omitted argument */
    A_EMPTY,         /* VT_EMPTY */
    A_NULL,          /* VT_NULL */
    A_BOOL,          /* VT_BOOL, True when d != 0 */
    A_OBJ,           /* VT_DISPATCH: a region object */
    A_BYTES,         /* VT_ARRAY|VT_UI1 of d bytes */
    A_VARR,          /* VT_ARRAY|VT_VARIANT { 1, 2, d } */
    A_VARR_STR,      /* VT_ARRAY|VT_VARIANT { 1, s } */
    A_ARR2D,         /* VT_ARRAY|VT_UI1, 2 x 2 */
    A_MISLABEL,      /* VT_ARRAY|VT_I4 on an array that really holds VARIANTs */
    A_DECARR,        /* VT_ARRAY|VT_DECIMAL { 1, d } */
    A_NULLREF,       /* VT_BYREF|VT_ARRAY|VT_UI1 whose reference is NULL */
    A_REF_R8,        /* VT_BYREF|VT_R8 pointing at d */
    A_BADVT,         /* a VARIANT type that does not exist (d) */
    A_NULLBSTR,      /* VT_BYREF|VT_BSTR whose pointer is NULL */
    A_VARR_NULLBSTR, /* VT_ARRAY|VT_VARIANT { a VT_BYREF|VT_BSTR whose pointer is NULL } */
};

struct arg
{
    enum arg_kind kind;
    double d;
    const WCHAR *s;
};

#define R8(x)       { A_R8, (x), NULL }
#define I4(x)       { A_I4, (x), NULL }
#define END(x)      { A_END, (x), NULL }
#define STR(x)      { A_STR, 0, (x) }
#define STRNUL(x)   { A_STRNUL, 0, (x) }
#define REPEAT(c, n) { A_REPEAT, (n), (c) }
#define MISSING     { A_MISSING, 0, NULL }
#define EMPTYV      { A_EMPTY, 0, NULL }
#define NULLV       { A_NULL, 0, NULL }
#define BOOLV(x)    { A_BOOL, (x), NULL }
#define OBJ         { A_OBJ, 0, NULL }
#define BYTES(n)    { A_BYTES, (n), NULL }
#define VARR(x)     { A_VARR, (x), NULL }
#define VARR_STR(x) { A_VARR_STR, 0, (x) }
#define ARR2D       { A_ARR2D, 0, NULL }
#define MISLABEL    { A_MISLABEL, 0, NULL }
#define DECARR(x)   { A_DECARR, (x), NULL }
#define NULLREF     { A_NULLREF, 0, NULL }
#define REF_R8(x)   { A_REF_R8, (x), NULL }
#define BADVT(x)    { A_BADVT, (x), NULL }
#define NULLBSTR    { A_NULLBSTR, 0, NULL }
#define VARR_NULLBSTR { A_VARR_NULLBSTR, 0, NULL }

/* ---- the table ---- */

enum path { P_VT = 1, P_DISP = 2, P_BOTH = 3 };

enum row_flags
{
    F_NULL_OUT = 1,  /* vtable: the result pointer is NULL */
    F_PUT = 2,       /* IDispatch: DISPATCH_PROPERTYPUT with the one argument */
    F_NAMED = 4,     /* IDispatch: the last argument is passed as a named argument */
    F_NODESC = 8,    /* COM plumbing: no rich error information is set, by convention */
    F_NULL_ALT = 16, /* the call's second pointer is NULL instead of its first */
};

#define HR_SHUT ((HRESULT)1)   /* SR_E_NOTOPEN on a region, SR_E_NOTMAPPED on a view */

struct row
{
    int line;
    enum target target;
    enum member member;
    enum path path;
    int argc;                  /* arguments passed through IDispatch */
    struct arg args[5];
    HRESULT hr;                /* expected from the vtable, and from IDispatch unless hr_disp is set */
    HRESULT hr_disp;
    const WCHAR *detail;       /* the description must contain this too */
    unsigned int flags;
};

#define ROW(target, member, path, argc, args, hr, detail) \
    { __LINE__, target, member, path, argc, args, hr, 0, detail, 0 }
#define ROWF(target, member, path, argc, args, hr, detail, flags) \
    { __LINE__, target, member, path, argc, args, hr, 0, detail, flags }
#define A(...) { __VA_ARGS__ }
#define NOARGS { { A_NONE, 0, NULL } }

#define NOT_OWNER     HRESULT_FROM_WIN32(ERROR_NOT_OWNER)
#define EXISTS        HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)
#define NOT_FOUND     HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)
#define PATH_NOT_FOUND HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND)
#define WRONG_KIND    HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)
#define IS_DIRECTORY  HRESULT_FROM_WIN32(336 /* ERROR_DIRECTORY_NOT_SUPPORTED */)
#define DENIED        HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED)

/* Data members, on the region and on the view: numbers, bounds, types, counts, NULL out-pointers. */
static const struct row data_rows[] =
{
    /* ReadBytes(offset, count) */
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(-1), R8(1)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(NAN), R8(1)), E_INVALIDARG, L"offset is NaN"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(INFINITY), R8(1)), E_INVALIDARG, L"offset is infinite"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(-INFINITY), R8(1)), E_INVALIDARG, L"offset is infinite"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(0.5), R8(1)), E_INVALIDARG, L"offset 0.5 is not a whole number"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(TWO53 + 2), R8(1)), E_INVALIDARG, L"larger than 2^53"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(TWO53), R8(1)), E_INVALIDARG, L"past the end"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(0), R8(-1)), E_INVALIDARG, L"count -1 is negative"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(0), R8(NAN)), E_INVALIDARG, L"count is NaN"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(0), R8(1.5)), E_INVALIDARG, L"count 1.5 is not a whole number"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(END(0), R8(1)), E_INVALIDARG, L"+ count 1 is past the end"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(END(1), R8(0)), E_INVALIDARG, L"is past the end"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(0), END(1)), E_INVALIDARG, L"is past the end"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(1), END(0)), E_INVALIDARG, L"offset 1 + count"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(0), R8(2147483648.0)), E_INVALIDARG, L"more than one call can return"),
    ROW(T_DATA, M_ReadBytes, P_BOTH, 2, A(R8(0), R8(2147483647.0)), E_INVALIDARG, L"count 2147483647 is past the end"),
    ROWF(T_DATA, M_ReadBytes, P_VT, 2, A(R8(0), R8(1)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadBytes, P_DISP, 2, A(STR(L"abc"), R8(1)), DISP_E_TYPEMISMATCH, L"argument 1 (offset) must be a number, not a String"),
    ROW(T_DATA, M_ReadBytes, P_DISP, 2, A(R8(0), NULLV), DISP_E_TYPEMISMATCH, L"argument 2 (count) must be a number, not Null"),
    ROW(T_DATA, M_ReadBytes, P_DISP, 2, A(OBJ, R8(1)), DISP_E_TYPEMISMATCH, L"argument 1 (offset) must be a number, not an Object"),
    ROW(T_DATA, M_ReadBytes, P_DISP, 2, A(BYTES(4), R8(1)), DISP_E_TYPEMISMATCH, L"argument 1 (offset) must be a number, not an array"),
    ROW(T_DATA, M_ReadBytes, P_DISP, 2, A(R8(0), MISSING), DISP_E_TYPEMISMATCH, L"argument 2 (count) is missing; it is required"),
    ROW(T_DATA, M_ReadBytes, P_DISP, 2, A(STR(L"1e400"), R8(1)), DISP_E_OVERFLOW, L"argument 1 (offset) is out of range"),
    ROW(T_DATA, M_ReadBytes, P_DISP, 2, A(BOOLV(1), R8(1)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_ReadBytes, P_DISP, 2, A(REF_R8(NAN), R8(1)), E_INVALIDARG, L"offset is NaN"),
    ROW(T_DATA, M_ReadBytes, P_DISP, 1, A(R8(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes 2 (offset, count)"),
    ROW(T_DATA, M_ReadBytes, P_DISP, 0, NOARGS, DISP_E_BADPARAMCOUNT, L"0 arguments given; it takes 2 (offset, count)"),
    ROW(T_DATA, M_ReadBytes, P_DISP, 3, A(R8(0), R8(1), R8(1)), DISP_E_BADPARAMCOUNT, L"3 arguments given"),
    ROWF(T_DATA, M_ReadBytes, P_DISP, 2, A(R8(0), R8(1)), DISP_E_PARAMNOTFOUND, L"named argument 7 is not one of its arguments (offset, count)", F_NAMED),
    ROW(T_DATA, M_ReadBytes, P_DISP, 2, A(R8(0), BADVT(0x4d)), DISP_E_BADVARTYPE, L"argument 2 (count) is not a valid VARIANT (type 0x4d)"),
    ROW(T_DATA, M_ReadString, P_DISP, 3, A(R8(0), MISSING, BADVT(0x44)), DISP_E_BADVARTYPE, L"argument 3 (encoding) is not a valid VARIANT (type 0x44)"),

    /* WriteBytes(offset, data) */
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(-1), BYTES(4)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(NAN), BYTES(4)), E_INVALIDARG, L"offset is NaN"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(INFINITY), BYTES(4)), E_INVALIDARG, L"offset is infinite"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(2.25), BYTES(4)), E_INVALIDARG, L"offset 2.25 is not a whole number"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(TWO53 * 2), BYTES(4)), E_INVALIDARG, L"larger than 2^53"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(END(-2), BYTES(4)), E_INVALIDARG, L"+ count 4 is past the end"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(END(1), BYTES(0)), E_INVALIDARG, L"is past the end"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), STR(L"abc")), DISP_E_TYPEMISMATCH, L"data must be a Byte() array or an array of numbers 0..255, not a String"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), R8(5)), DISP_E_TYPEMISMATCH, L"not a Number"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), EMPTYV), DISP_E_TYPEMISMATCH, L"not missing"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), NULLV), DISP_E_TYPEMISMATCH, L"not Null"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), MISSING), DISP_E_TYPEMISMATCH, L"not missing"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), OBJ), DISP_E_TYPEMISMATCH, L"not an Object"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), VARR(256)), E_INVALIDARG, L"element 2 of data is 256, not a whole number 0..255"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), VARR(-1)), E_INVALIDARG, L"element 2 of data is -1"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), VARR(0.5)), E_INVALIDARG, L"element 2 of data is 0.5"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), VARR(NAN)), E_INVALIDARG, L"element 2 of data"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), VARR_STR(L"x")), DISP_E_TYPEMISMATCH, L"element 1 of data is a String"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), ARR2D), E_INVALIDARG, L"one-dimensional array, not 2-dimensional"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), MISLABEL), DISP_E_TYPEMISMATCH, L"cannot be read as numbers"),
    ROW(T_DATA, M_WriteBytes, P_BOTH, 2, A(R8(0), DECARR(300)), E_INVALIDARG, L"element 1 of data is 300"),
    ROW(T_DATA, M_WriteBytes, P_VT, 2, A(R8(0), NULLREF), E_INVALIDARG, L"data is a by-reference array with a NULL reference"),
    ROW(T_DATA, M_WriteBytes, P_DISP, 2, A(R8(0), NULLREF), DISP_E_BADVARTYPE, L"argument 2 (data) is not a valid VARIANT (type 0x6011)"),
    ROW(T_DATA, M_WriteBytes, P_DISP, 2, A(STR(L"x"), BYTES(4)), DISP_E_TYPEMISMATCH, L"argument 1 (offset) must be a number, not a String"),
    ROW(T_DATA, M_WriteBytes, P_DISP, 1, A(R8(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes 2 (offset, data)"),

    /* ReadString(offset, [maxBytes], [encoding]) */
    ROW(T_DATA, M_ReadString, P_BOTH, 1, A(R8(-1)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_ReadString, P_BOTH, 1, A(R8(NAN)), E_INVALIDARG, L"offset is NaN"),
    ROW(T_DATA, M_ReadString, P_BOTH, 1, A(R8(0.75)), E_INVALIDARG, L"not a whole number"),
    ROW(T_DATA, M_ReadString, P_BOTH, 1, A(END(1)), E_INVALIDARG, L"is past the end"),
    ROW(T_DATA, M_ReadString, P_BOTH, 2, A(R8(0), R8(-1)), E_INVALIDARG, L"maxBytes -1 is negative"),
    ROW(T_DATA, M_ReadString, P_BOTH, 2, A(R8(0), R8(NAN)), E_INVALIDARG, L"maxBytes is NaN"),
    ROW(T_DATA, M_ReadString, P_BOTH, 2, A(R8(0), R8(1e300)), E_INVALIDARG, L"maxBytes 1.0000000000000001e+300 is larger than 2^53"),
    ROW(T_DATA, M_ReadString, P_BOTH, 2, A(R8(0), STR(L"abc")), DISP_E_TYPEMISMATCH, L"maxBytes must be a number, not a String"),
    ROW(T_DATA, M_ReadString, P_BOTH, 3, A(R8(0), MISSING, STR(L"ebcdic")), E_INVALIDARG, L"encoding 'ebcdic' is not one of"),
    ROW(T_DATA, M_ReadString, P_BOTH, 3, A(R8(0), MISSING, OBJ), DISP_E_TYPEMISMATCH, L"encoding must be a string, not an Object"),
    ROW(T_DATA, M_ReadString, P_BOTH, 1, A(R8(0)), SR_E_BADENCODING, L"are not valid UTF-8"),
    ROWF(T_DATA, M_ReadString, P_VT, 1, A(R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadString, P_DISP, 0, NOARGS, DISP_E_BADPARAMCOUNT, L"0 arguments given; it takes 1 to 3 (offset, maxBytes, encoding)"),
    ROW(T_DATA, M_ReadString, P_DISP, 4, A(R8(0), R8(1), STR(L"utf-8"), R8(1)), DISP_E_BADPARAMCOUNT, L"4 arguments given"),

    /* WriteString(offset, text, [encoding], [terminate]) */
    ROW(T_DATA, M_WriteString, P_BOTH, 2, A(R8(-1), STR(L"hi")), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_WriteString, P_BOTH, 2, A(R8(-INFINITY), STR(L"hi")), E_INVALIDARG, L"offset is infinite"),
    ROW(T_DATA, M_WriteString, P_BOTH, 2, A(END(-3), STR(L"hello")), E_INVALIDARG, L"+ count 6 is past the end"),
    ROW(T_DATA, M_WriteString, P_BOTH, 3, A(END(-3), STR(L"hello"), STR(L"utf-16")), E_INVALIDARG, L"+ count 12 is past the end"),
    ROW(T_DATA, M_WriteString, P_BOTH, 2, A(R8(0), STR(L"a\xd800z")), SR_E_BADENCODING, L"unpaired surrogate"),
    ROW(T_DATA, M_WriteString, P_BOTH, 3, A(R8(0), STR(L"hi"), STR(L"ebcdic")), E_INVALIDARG, L"encoding 'ebcdic' is not one of"),
    ROW(T_DATA, M_WriteString, P_BOTH, 4, A(R8(0), STR(L"hi"), MISSING, STR(L"maybe")), DISP_E_TYPEMISMATCH, L"terminate must be True or False, not a String"),
    ROWF(T_DATA, M_WriteString, P_VT, 2, A(R8(0), STR(L"hi")), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_WriteString, P_DISP, 2, A(R8(0), OBJ), DISP_E_TYPEMISMATCH, L"argument 2 (text) must be a string, not an Object"),
    ROW(T_DATA, M_WriteString, P_DISP, 1, A(R8(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes 2 to 4 (offset, text, encoding, terminate)"),

    /* ReadByte / ReadInt32 / ReadDouble(offset) */
    ROW(T_DATA, M_ReadByte, P_BOTH, 1, A(R8(-1)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_ReadByte, P_BOTH, 1, A(R8(NAN)), E_INVALIDARG, L"offset is NaN"),
    ROW(T_DATA, M_ReadByte, P_BOTH, 1, A(R8(1e20)), E_INVALIDARG, L"larger than 2^53"),
    ROW(T_DATA, M_ReadByte, P_BOTH, 1, A(END(0)), E_INVALIDARG, L"+ count 1 is past the end"),
    ROWF(T_DATA, M_ReadByte, P_VT, 1, A(R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadByte, P_DISP, 1, A(STR(L"abc")), DISP_E_TYPEMISMATCH, L"argument 1 (offset) must be a number, not a String"),
    ROW(T_DATA, M_ReadByte, P_DISP, 0, NOARGS, DISP_E_BADPARAMCOUNT, L"0 arguments given; it takes 1 (offset)"),
    ROW(T_DATA, M_ReadInt32, P_BOTH, 1, A(R8(-1)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_ReadInt32, P_BOTH, 1, A(R8(1.5)), E_INVALIDARG, L"offset 1.5 is not a whole number"),
    ROW(T_DATA, M_ReadInt32, P_BOTH, 1, A(END(-3)), E_INVALIDARG, L"+ count 4 is past the end"),
    ROWF(T_DATA, M_ReadInt32, P_VT, 1, A(R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadInt32, P_DISP, 1, A(NULLV), DISP_E_TYPEMISMATCH, L"argument 1 (offset) must be a number, not Null"),
    ROW(T_DATA, M_ReadDouble, P_BOTH, 1, A(R8(INFINITY)), E_INVALIDARG, L"offset is infinite"),
    ROW(T_DATA, M_ReadDouble, P_BOTH, 1, A(END(-7)), E_INVALIDARG, L"+ count 8 is past the end"),
    ROWF(T_DATA, M_ReadDouble, P_VT, 1, A(R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadDouble, P_DISP, 2, A(R8(0), R8(0)), DISP_E_BADPARAMCOUNT, L"2 arguments given; it takes 1 (offset)"),

    /* WriteByte / WriteInt32 / WriteDouble(offset, value) */
    ROW(T_DATA, M_WriteByte, P_BOTH, 2, A(R8(-1), I4(1)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_WriteByte, P_BOTH, 2, A(R8(NAN), I4(1)), E_INVALIDARG, L"offset is NaN"),
    ROW(T_DATA, M_WriteByte, P_BOTH, 2, A(END(0), I4(1)), E_INVALIDARG, L"+ count 1 is past the end"),
    /* WriteByte and WriteInt32 take the script's number as it is (a Double) and judge it, as WriteInt16 does:
     * no rounding, no DISP_E_OVERFLOW from the type library. */
    ROW(T_DATA, M_WriteByte, P_BOTH, 2, A(R8(0), I4(256)), E_INVALIDARG, L"WriteByte: value 256 is out of range; UInt8 takes 0 to 255"),
    ROW(T_DATA, M_WriteByte, P_BOTH, 2, A(R8(0), I4(-1)), E_INVALIDARG, L"value -1 is out of range; UInt8 takes 0 to 255"),
    ROW(T_DATA, M_WriteByte, P_BOTH, 2, A(R8(0), R8(1e10)), E_INVALIDARG, L"value 10000000000 is out of range; UInt8 takes 0 to 255"),
    ROW(T_DATA, M_WriteByte, P_BOTH, 2, A(R8(0), R8(2.5)), E_INVALIDARG, L"value 2.5 is not a whole number; UInt8 takes whole numbers from 0 to 255"),
    ROW(T_DATA, M_WriteByte, P_BOTH, 2, A(R8(0), R8(NAN)), E_INVALIDARG, L"value is NaN"),
    ROW(T_DATA, M_WriteByte, P_DISP, 2, A(R8(0), STR(L"x")), DISP_E_TYPEMISMATCH, L"argument 2 (value) must be a number, not a String"),
    ROW(T_DATA, M_WriteByte, P_DISP, 1, A(R8(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes 2 (offset, value)"),
    ROW(T_DATA, M_WriteInt32, P_BOTH, 2, A(R8(-1), I4(1)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_WriteInt32, P_BOTH, 2, A(R8(NAN), I4(1)), E_INVALIDARG, L"offset is NaN"),
    ROW(T_DATA, M_WriteInt32, P_BOTH, 2, A(END(-3), I4(1)), E_INVALIDARG, L"+ count 4 is past the end"),
    ROW(T_DATA, M_WriteInt32, P_BOTH, 2, A(R8(0), R8(3e9)), E_INVALIDARG, L"WriteInt32: value 3000000000 is out of range; Int32 takes -2147483648 to 2147483647"),
    ROW(T_DATA, M_WriteInt32, P_BOTH, 2, A(R8(0), R8(-0.5)), E_INVALIDARG, L"value -0.5 is not a whole number; Int32 takes whole numbers"),
    ROW(T_DATA, M_WriteInt32, P_BOTH, 2, A(R8(0), R8(INFINITY)), E_INVALIDARG, L"value is infinite"),
    ROW(T_DATA, M_WriteInt32, P_DISP, 2, A(R8(0), MISSING), DISP_E_TYPEMISMATCH, L"argument 2 (value) is missing; it is required"),
    ROW(T_DATA, M_WriteDouble, P_BOTH, 2, A(R8(-1), R8(1)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_WriteDouble, P_BOTH, 2, A(R8(INFINITY), R8(1)), E_INVALIDARG, L"offset is infinite"),
    ROW(T_DATA, M_WriteDouble, P_BOTH, 2, A(END(-7), R8(1)), E_INVALIDARG, L"+ count 8 is past the end"),
    ROW(T_DATA, M_WriteDouble, P_DISP, 2, A(R8(0), STR(L"abc")), DISP_E_TYPEMISMATCH, L"argument 2 (value) must be a number, not a String"),

    /* Fill(offset, count, value) */
    ROW(T_DATA, M_Fill, P_BOTH, 3, A(R8(-1), R8(1), I4(0)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_Fill, P_BOTH, 3, A(R8(NAN), R8(1), I4(0)), E_INVALIDARG, L"offset is NaN"),
    ROW(T_DATA, M_Fill, P_BOTH, 3, A(R8(0), R8(-1), I4(0)), E_INVALIDARG, L"count -1 is negative"),
    ROW(T_DATA, M_Fill, P_BOTH, 3, A(R8(0), R8(NAN), I4(0)), E_INVALIDARG, L"count is NaN"),
    ROW(T_DATA, M_Fill, P_BOTH, 3, A(R8(0), R8(0.5), I4(0)), E_INVALIDARG, L"count 0.5 is not a whole number"),
    ROW(T_DATA, M_Fill, P_BOTH, 3, A(R8(0), R8(TWO53 + 2), I4(0)), E_INVALIDARG, L"count 9007199254740994 is larger than 2^53"),
    ROW(T_DATA, M_Fill, P_BOTH, 3, A(R8(1), END(0), I4(0)), E_INVALIDARG, L"is past the end"),
    ROW(T_DATA, M_Fill, P_BOTH, 3, A(R8(0), R8(TWO53), I4(0)), E_INVALIDARG, L"is past the end"),
    ROW(T_DATA, M_Fill, P_BOTH, 3, A(R8(0), R8(1), I4(256)), E_INVALIDARG, L"value 256 is not 0..255"),
    ROW(T_DATA, M_Fill, P_BOTH, 3, A(R8(0), R8(1), I4(-1)), E_INVALIDARG, L"value -1 is not 0..255"),
    ROW(T_DATA, M_Fill, P_DISP, 3, A(R8(0), R8(1), R8(1e10)), DISP_E_OVERFLOW, L"argument 3 (value) is out of range"),
    ROW(T_DATA, M_Fill, P_DISP, 2, A(R8(0), R8(1)), DISP_E_BADPARAMCOUNT, L"2 arguments given; it takes 3 (offset, count, value)"),

    /* Flush([offset], [count]) */
    ROW(T_DATA, M_Flush, P_BOTH, 1, A(R8(-1)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_Flush, P_BOTH, 1, A(R8(NAN)), E_INVALIDARG, L"offset is NaN"),
    ROW(T_DATA, M_Flush, P_BOTH, 2, A(R8(0), R8(-1)), E_INVALIDARG, L"count -1 is negative"),
    ROW(T_DATA, M_Flush, P_BOTH, 1, A(STR(L"abc")), DISP_E_TYPEMISMATCH, L"offset must be a number, not a String"),
    ROW(T_DATA, M_Flush, P_BOTH, 1, A(END(1)), E_INVALIDARG, L"is past the end"),
    ROW(T_DATA, M_Flush, P_BOTH, 2, A(R8(0), END(1)), E_INVALIDARG, L"is past the end"),
    ROW(T_DATA, M_Flush, P_DISP, 3, A(R8(0), R8(1), R8(1)), DISP_E_BADPARAMCOUNT, L"3 arguments given; it takes 0 to 2 (offset, count)"),

    /* The typed reads: ReadInt8 ... ReadSingle(offset) */
    ROW(T_DATA, M_ReadInt8, P_BOTH, 1, A(R8(-1)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_ReadInt8, P_BOTH, 1, A(END(0)), E_INVALIDARG, L"+ count 1 is past the end"),
    ROWF(T_DATA, M_ReadInt8, P_VT, 1, A(R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadInt8, P_DISP, 1, A(STR(L"abc")), DISP_E_TYPEMISMATCH, L"argument 1 (offset) must be a number, not a String"),
    ROW(T_DATA, M_ReadInt16, P_BOTH, 1, A(END(-1)), E_INVALIDARG, L"+ count 2 is past the end"),
    ROW(T_DATA, M_ReadInt16, P_BOTH, 1, A(R8(0.5)), E_INVALIDARG, L"offset 0.5 is not a whole number"),
    ROWF(T_DATA, M_ReadInt16, P_VT, 1, A(R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadUInt16, P_BOTH, 1, A(END(-1)), E_INVALIDARG, L"+ count 2 is past the end"),
    ROWF(T_DATA, M_ReadUInt16, P_VT, 1, A(R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadUInt16, P_DISP, 0, NOARGS, DISP_E_BADPARAMCOUNT, L"0 arguments given; it takes 1 (offset)"),
    ROW(T_DATA, M_ReadUInt32, P_BOTH, 1, A(END(-3)), E_INVALIDARG, L"+ count 4 is past the end"),
    ROW(T_DATA, M_ReadUInt32, P_BOTH, 1, A(R8(NAN)), E_INVALIDARG, L"offset is NaN"),
    ROWF(T_DATA, M_ReadUInt32, P_VT, 1, A(R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadInt64, P_BOTH, 1, A(END(-7)), E_INVALIDARG, L"+ count 8 is past the end"),
    ROWF(T_DATA, M_ReadInt64, P_VT, 1, A(R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadInt64, P_DISP, 2, A(R8(0), R8(0)), DISP_E_BADPARAMCOUNT, L"2 arguments given; it takes 1 (offset)"),
    ROW(T_DATA, M_ReadUInt64, P_BOTH, 1, A(R8(TWO53 + 2)), E_INVALIDARG, L"larger than 2^53"),
    ROWF(T_DATA, M_ReadUInt64, P_VT, 1, A(R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadSingle, P_BOTH, 1, A(END(-3)), E_INVALIDARG, L"+ count 4 is past the end"),
    ROW(T_DATA, M_ReadSingle, P_BOTH, 1, A(R8(INFINITY)), E_INVALIDARG, L"offset is infinite"),
    ROWF(T_DATA, M_ReadSingle, P_VT, 1, A(R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadSingle, P_DISP, 1, A(NULLV), DISP_E_TYPEMISMATCH, L"argument 1 (offset) must be a number, not Null"),

    /* The typed writes: each type one past its range, not whole, past the end; nothing is written. */
    ROW(T_DATA, M_WriteInt8, P_BOTH, 2, A(R8(0), R8(128)), E_INVALIDARG, L"WriteInt8: value 128 is out of range; Int8 takes -128 to 127"),
    ROW(T_DATA, M_WriteInt8, P_BOTH, 2, A(R8(0), R8(-129)), E_INVALIDARG, L"value -129 is out of range; Int8 takes -128 to 127"),
    ROW(T_DATA, M_WriteInt8, P_BOTH, 2, A(R8(0), R8(0.5)), E_INVALIDARG, L"value 0.5 is not a whole number"),
    ROW(T_DATA, M_WriteInt8, P_BOTH, 2, A(R8(0), R8(NAN)), E_INVALIDARG, L"value is NaN"),
    ROW(T_DATA, M_WriteInt8, P_BOTH, 2, A(END(0), R8(1)), E_INVALIDARG, L"+ count 1 is past the end"),
    ROW(T_DATA, M_WriteInt8, P_DISP, 2, A(R8(0), STR(L"x")), DISP_E_TYPEMISMATCH, L"argument 2 (value) must be a number, not a String"),
    ROW(T_DATA, M_WriteInt8, P_DISP, 1, A(R8(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes 2 (offset, value)"),
    ROW(T_DATA, M_WriteInt16, P_BOTH, 2, A(R8(0), R8(32768)), E_INVALIDARG, L"value 32768 is out of range; Int16 takes -32768 to 32767"),
    ROW(T_DATA, M_WriteInt16, P_BOTH, 2, A(R8(0), R8(-32769)), E_INVALIDARG, L"value -32769 is out of range"),
    ROW(T_DATA, M_WriteInt16, P_BOTH, 2, A(END(-1), R8(1)), E_INVALIDARG, L"+ count 2 is past the end"),
    ROW(T_DATA, M_WriteUInt16, P_BOTH, 2, A(R8(0), R8(65536)), E_INVALIDARG, L"value 65536 is out of range; UInt16 takes 0 to 65535"),
    ROW(T_DATA, M_WriteUInt16, P_BOTH, 2, A(R8(0), R8(-1)), E_INVALIDARG, L"value -1 is out of range"),
    ROW(T_DATA, M_WriteUInt32, P_BOTH, 2, A(R8(0), R8(4294967296.0)), E_INVALIDARG, L"value 4294967296 is out of range; UInt32 takes 0 to 4294967295"),
    ROW(T_DATA, M_WriteUInt32, P_BOTH, 2, A(R8(0), R8(-1)), E_INVALIDARG, L"value -1 is out of range"),
    ROW(T_DATA, M_WriteUInt32, P_BOTH, 2, A(R8(0), R8(INFINITY)), E_INVALIDARG, L"value is infinite"),
    ROW(T_DATA, M_WriteUInt32, P_BOTH, 2, A(END(-3), R8(1)), E_INVALIDARG, L"+ count 4 is past the end"),
    ROW(T_DATA, M_WriteInt64, P_BOTH, 2, A(R8(0), STR(L"9223372036854775808")), E_INVALIDARG, L"value 9223372036854775808 is out of range; Int64 takes -9223372036854775808 to 9223372036854775807"),
    ROW(T_DATA, M_WriteInt64, P_BOTH, 2, A(R8(0), STR(L"-9223372036854775809")), E_INVALIDARG, L"value -9223372036854775809 is out of range"),
    ROW(T_DATA, M_WriteInt64, P_BOTH, 2, A(R8(0), STR(L"12x")), DISP_E_TYPEMISMATCH, L"is not a whole number in decimal digits"),
    ROW(T_DATA, M_WriteInt64, P_BOTH, 2, A(R8(0), R8(0.25)), E_INVALIDARG, L"value 0.25 is not a whole number"),
    ROW(T_DATA, M_WriteInt64, P_BOTH, 2, A(R8(0), NULLV), DISP_E_TYPEMISMATCH, L"value must be a number"),
    ROW(T_DATA, M_WriteInt64, P_BOTH, 2, A(R8(0), OBJ), DISP_E_TYPEMISMATCH, L"value must be a number"),
    ROW(T_DATA, M_WriteInt64, P_BOTH, 2, A(R8(0), BYTES(8)), DISP_E_TYPEMISMATCH, L"value must be a number"),
    ROW(T_DATA, M_WriteInt64, P_BOTH, 2, A(END(-7), R8(1)), E_INVALIDARG, L"+ count 8 is past the end"),
    ROW(T_DATA, M_WriteInt64, P_DISP, 1, A(R8(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes 2 (offset, value)"),
    ROW(T_DATA, M_WriteUInt64, P_BOTH, 2, A(R8(0), STR(L"18446744073709551616")), E_INVALIDARG, L"value 18446744073709551616 is out of range; UInt64 takes 0 to 18446744073709551615"),
    ROW(T_DATA, M_WriteUInt64, P_BOTH, 2, A(R8(0), R8(-1)), E_INVALIDARG, L"value -1 is out of range"),
    ROW(T_DATA, M_WriteUInt64, P_BOTH, 2, A(R8(0), STR(L"")), DISP_E_TYPEMISMATCH, L"is not a whole number in decimal digits"),
    ROW(T_DATA, M_WriteUInt64, P_BOTH, 2, A(R8(0), DECARR(1)), DISP_E_TYPEMISMATCH, L"value must be a number"),
    ROW(T_DATA, M_WriteSingle, P_BOTH, 2, A(R8(0), R8(3.5e38)), E_INVALIDARG, L"value 3.5e+38 is out of range; Single takes -3.4028234663852886e+38 to 3.4028234663852886e+38"),
    ROW(T_DATA, M_WriteSingle, P_BOTH, 2, A(R8(0), R8(-1e300)), E_INVALIDARG, L"is out of range; Single takes"),
    ROW(T_DATA, M_WriteSingle, P_BOTH, 2, A(END(-3), R8(1)), E_INVALIDARG, L"+ count 4 is past the end"),
    ROW(T_DATA, M_WriteSingle, P_DISP, 2, A(R8(0), STR(L"abc")), DISP_E_TYPEMISMATCH, L"argument 2 (value) must be a number, not a String"),

    /* ReadArray(offset, count, type) / WriteArray(offset, values, type) */
    ROW(T_DATA, M_ReadArray, P_BOTH, 3, A(R8(-1), R8(1), STR(L"h")), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_ReadArray, P_BOTH, 3, A(R8(0), R8(-1), STR(L"h")), E_INVALIDARG, L"count -1 is negative"),
    ROW(T_DATA, M_ReadArray, P_BOTH, 3, A(R8(0), R8(1.5), STR(L"h")), E_INVALIDARG, L"count 1.5 is not a whole number"),
    ROW(T_DATA, M_ReadArray, P_BOTH, 3, A(END(-2), R8(2), STR(L"h")), E_INVALIDARG, L"+ count 4 is past the end"),
    ROW(T_DATA, M_ReadArray, P_BOTH, 3, A(R8(0), R8(1e9), STR(L"d")), E_INVALIDARG, L"count 1000000000 of Double is more than one call can move"),
    ROW(T_DATA, M_ReadArray, P_BOTH, 3, A(R8(0), R8(1), STR(L"Int128")), E_INVALIDARG, L"type \"Int128\" is not one of"),
    ROW(T_DATA, M_ReadArray, P_BOTH, 3, A(R8(0), R8(1), R8(10)), E_INVALIDARG, L"type 10 is not a DataType number; the type is one of Int8, UInt8 (Byte)"),
    ROW(T_DATA, M_ReadArray, P_BOTH, 3, A(R8(0), R8(1), R8(-1)), E_INVALIDARG, L"type -1 is not a DataType number"),
    ROW(T_DATA, M_ReadArray, P_BOTH, 3, A(R8(0), R8(1), OBJ), DISP_E_TYPEMISMATCH, L"type must be a name, a struct code or a DataType number"),
    ROW(T_DATA, M_ReadArray, P_BOTH, 3, A(R8(0), R8(1), MISSING), E_INVALIDARG, L"type is missing"),
    ROWF(T_DATA, M_ReadArray, P_VT, 3, A(R8(0), R8(1), STR(L"h")), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadArray, P_DISP, 2, A(R8(0), R8(1)), DISP_E_BADPARAMCOUNT, L"2 arguments given; it takes 3 (offset, count, type)"),
    ROW(T_DATA, M_WriteArray, P_BOTH, 3, A(R8(0), VARR(300), STR(L"b")), E_INVALIDARG, L"WriteArray: element 2: value 300 is out of range; Int8 takes -128 to 127"),
    ROW(T_DATA, M_WriteArray, P_BOTH, 3, A(R8(0), VARR(65536), STR(L"UInt16")), E_INVALIDARG, L"element 2: value 65536 is out of range"),
    ROW(T_DATA, M_WriteArray, P_BOTH, 3, A(R8(0), VARR(0.5), STR(L"i")), E_INVALIDARG, L"element 2: value 0.5 is not a whole number"),
    ROW(T_DATA, M_WriteArray, P_BOTH, 3, A(R8(0), VARR(3.4028236692093846e38), STR(L"f")), E_INVALIDARG, L"element 2: value 3.4028236692093846e+38 is out of range"),
    ROW(T_DATA, M_WriteArray, P_BOTH, 3, A(R8(0), VARR_STR(L"x"), STR(L"d")), DISP_E_TYPEMISMATCH, L"element 1: value must be a number"),
    ROW(T_DATA, M_WriteArray, P_BOTH, 3, A(END(-2), VARR(3), STR(L"b")), E_INVALIDARG, L"+ count 3 is past the end"),
    ROW(T_DATA, M_WriteArray, P_BOTH, 3, A(R8(0), R8(5), STR(L"b")), DISP_E_TYPEMISMATCH, L"values must be an array"),
    ROW(T_DATA, M_WriteArray, P_BOTH, 3, A(R8(0), ARR2D, STR(L"b")), E_INVALIDARG, L"values must be a one-dimensional array"),
    ROW(T_DATA, M_WriteArray, P_VT, 3, A(R8(0), NULLREF, STR(L"b")), E_INVALIDARG, L"values is a by-reference array with a NULL reference"),
    ROW(T_DATA, M_WriteArray, P_BOTH, 3, A(R8(0), VARR(1), STR(L"x")), E_INVALIDARG, L"type \"x\" is not one of"),
    ROWF(T_DATA, M_WriteArray, P_VT, 3, A(R8(0), VARR(1), STR(L"b")), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_WriteArray, P_DISP, 2, A(R8(0), VARR(1)), DISP_E_BADPARAMCOUNT, L"2 arguments given; it takes 3 (offset, values, type)"),

    /* ReadInto(offset, buffer) */
    ROW(T_DATA, M_ReadInto, P_BOTH, 2, A(R8(-1), BYTES(4)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_ReadInto, P_BOTH, 2, A(END(-3), BYTES(4)), E_INVALIDARG, L"+ count 4 is past the end"),
    ROW(T_DATA, M_ReadInto, P_BOTH, 2, A(R8(0), VARR(1)), DISP_E_TYPEMISMATCH, L"buffer must be a Byte() array, not an array of another element type"),
    ROW(T_DATA, M_ReadInto, P_BOTH, 2, A(R8(0), STR(L"abc")), DISP_E_TYPEMISMATCH, L"buffer must be a Byte() array, not a String"),
    ROW(T_DATA, M_ReadInto, P_BOTH, 2, A(R8(0), ARR2D), E_INVALIDARG, L"buffer must be a one-dimensional Byte() array, not 2-dimensional"),
    ROW(T_DATA, M_ReadInto, P_VT, 2, A(R8(0), NULLREF), E_INVALIDARG, L"buffer is a by-reference array with a NULL reference"),
    ROW(T_DATA, M_ReadInto, P_BOTH, 2, A(R8(0), MISSING), DISP_E_TYPEMISMATCH, L"buffer must be a Byte() array, not missing"),
    ROWF(T_DATA, M_ReadInto, P_VT, 2, A(R8(0), BYTES(4)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_ReadInto, P_DISP, 1, A(R8(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes 2 (offset, buffer)"),

    /* Unpack(offset, format, [encoding]) / Pack(offset, format, values, [encoding]) / CalcSize(format) */
    ROW(T_DATA, M_Unpack, P_BOTH, 2, A(R8(-1), STR(L"<h")), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_DATA, M_Unpack, P_BOTH, 2, A(END(-1), STR(L"<i")), E_INVALIDARG, L"+ count 4 is past the end"),
    ROW(T_DATA, M_Unpack, P_BOTH, 2, A(R8(0), STR(L"<hZ")), E_INVALIDARG, L"Unpack: "),
    ROW(T_DATA, M_Unpack, P_BOTH, 3, A(R8(0), STR(L"<4s"), STR(L"ebcdic")), E_INVALIDARG, L"encoding 'ebcdic' is not one of"),
    ROWF(T_DATA, M_Unpack, P_VT, 2, A(R8(0), STR(L"<h")), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_Unpack, P_DISP, 1, A(R8(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes 2 to 3 (offset, format, encoding)"),
    ROW(T_DATA, M_Pack, P_BOTH, 3, A(R8(0), STR(L"<bbb"), VARR(300)), E_INVALIDARG, L"Pack: "),
    ROW(T_DATA, M_Pack, P_BOTH, 3, A(R8(0), STR(L"<bb"), VARR(3)), E_INVALIDARG, L"Pack: format '<bb' has 2 fields, and 3 values were given"),
    ROW(T_DATA, M_Pack, P_BOTH, 3, A(R8(0), STR(L"<bbbb"), VARR(3)), E_INVALIDARG, L"Pack: format '<bbbb' has 4 fields, and 3 values were given"),
    ROW(T_DATA, M_Pack, P_BOTH, 3, A(R8(0), STR(L"<bbZ"), VARR(3)), E_INVALIDARG, L"Pack: "),
    ROW(T_DATA, M_Pack, P_BOTH, 3, A(END(-2), STR(L"<bbb"), VARR(3)), E_INVALIDARG, L"+ count 3 is past the end"),
    ROW(T_DATA, M_Pack, P_BOTH, 3, A(R8(0), STR(L"<bbb"), R8(1)), DISP_E_TYPEMISMATCH, L"values must be an array"),
    ROWF(T_DATA, M_Pack, P_VT, 3, A(R8(0), STR(L"<bbb"), VARR(3)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_Pack, P_DISP, 2, A(R8(0), STR(L"<b")), DISP_E_BADPARAMCOUNT, L"2 arguments given; it takes 3 to 4 (offset, format, values, encoding)"),
    ROW(T_DATA, M_CalcSize, P_BOTH, 1, A(STR(L"<hZ")), E_INVALIDARG, L"CalcSize: "),
    ROWF(T_DATA, M_CalcSize, P_VT, 1, A(STR(L"<h")), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_DATA, M_CalcSize, P_DISP, 0, NOARGS, DISP_E_BADPARAMCOUNT, L"0 arguments given; it takes 1 (format)"),

    /* A by-reference value whose pointer is NULL (here a VT_BYREF|VT_BSTR) in every VARIANT parameter, and
     * inside the values Pack takes: refused, never read through (ReadArray's and WriteArray's type and a
     * '?' field crashed the server). IDispatch refuses such a VARIANT before any member runs
     * (DISP_E_BADVARTYPE, above). */
    ROW(T_DATA, M_ReadString, P_VT, 2, A(R8(0), NULLBSTR), E_INVALIDARG, L"ReadString: maxBytes is a by-reference VARIANT that refers to nothing usable"),
    ROW(T_DATA, M_ReadString, P_VT, 3, A(R8(0), MISSING, NULLBSTR), E_INVALIDARG, L"ReadString: encoding is a by-reference VARIANT that refers to nothing usable"),
    ROW(T_DATA, M_WriteString, P_VT, 3, A(R8(0), STR(L"hi"), NULLBSTR), E_INVALIDARG, L"WriteString: encoding is a by-reference VARIANT"),
    ROW(T_DATA, M_WriteString, P_VT, 4, A(R8(0), STR(L"hi"), MISSING, NULLBSTR), E_INVALIDARG, L"WriteString: terminate is a by-reference VARIANT"),
    ROW(T_DATA, M_Flush, P_VT, 2, A(NULLBSTR, MISSING), E_INVALIDARG, L"Flush: offset is a by-reference VARIANT"),
    ROW(T_DATA, M_Flush, P_VT, 2, A(R8(0), NULLBSTR), E_INVALIDARG, L"Flush: count is a by-reference VARIANT"),
    ROW(T_DATA, M_WriteInt64, P_VT, 2, A(R8(0), NULLBSTR), E_INVALIDARG, L"WriteInt64: value is a by-reference VARIANT"),
    ROW(T_DATA, M_WriteUInt64, P_VT, 2, A(R8(0), NULLBSTR), E_INVALIDARG, L"WriteUInt64: value is a by-reference VARIANT"),
    ROW(T_DATA, M_ReadArray, P_VT, 3, A(R8(0), R8(1), NULLBSTR), E_INVALIDARG, L"ReadArray: type is a by-reference VARIANT that refers to nothing usable"),
    ROW(T_DATA, M_WriteArray, P_VT, 3, A(R8(0), BYTES(4), NULLBSTR), E_INVALIDARG, L"WriteArray: type is a by-reference VARIANT that refers to nothing usable"),
    ROW(T_DATA, M_WriteArray, P_VT, 3, A(R8(0), NULLBSTR, STR(L"b")), E_INVALIDARG, L"WriteArray: values is a by-reference VARIANT"),
    ROW(T_DATA, M_WriteBytes, P_VT, 2, A(R8(0), NULLBSTR), E_INVALIDARG, L"WriteBytes: data is a by-reference VARIANT"),
    ROW(T_DATA, M_ReadInto, P_VT, 2, A(R8(0), NULLBSTR), E_INVALIDARG, L"ReadInto: buffer is a by-reference VARIANT"),
    ROW(T_DATA, M_Unpack, P_VT, 3, A(R8(0), STR(L"<h"), NULLBSTR), E_INVALIDARG, L"Unpack: encoding is a by-reference VARIANT"),
    ROW(T_DATA, M_Pack, P_VT, 3, A(R8(0), STR(L"<h"), NULLBSTR), E_INVALIDARG, L"Pack: values is a by-reference VARIANT"),
    ROW(T_DATA, M_Pack, P_VT, 4, A(R8(0), STR(L"<h"), VARR(1), NULLBSTR), E_INVALIDARG, L"Pack: encoding is a by-reference VARIANT"),
    ROW(T_DATA, M_Pack, P_VT, 3, A(R8(0), STR(L"<?"), VARR_NULLBSTR), E_INVALIDARG, L"Pack: field 0 ('?') is a by-reference VARIANT that refers to nothing usable"),
    ROW(T_DATA, M_Pack, P_VT, 3, A(R8(0), STR(L"<4s"), VARR_NULLBSTR), E_INVALIDARG, L"Pack: field 0 ('4s') is a by-reference VARIANT"),
    ROW(T_DATA, M_Pack, P_VT, 3, A(R8(0), STR(L"<c"), VARR_NULLBSTR), E_INVALIDARG, L"Pack: field 0 ('c') is a by-reference VARIANT"),
    ROW(T_DATA, M_Pack, P_VT, 3, A(R8(0), STR(L"<h"), VARR_NULLBSTR), E_INVALIDARG, L"Pack: field 0 ('h') is a by-reference VARIANT"),
};

/* A closed region and an unmapped view: every data member says so, with valid arguments. */
static const struct row shut_rows[] =
{
    ROW(T_SHUT, M_ReadBytes, P_BOTH, 2, A(R8(0), R8(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteBytes, P_BOTH, 2, A(R8(0), BYTES(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadString, P_BOTH, 1, A(R8(0)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteString, P_BOTH, 2, A(R8(0), STR(L"x")), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadByte, P_BOTH, 1, A(R8(0)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteByte, P_BOTH, 2, A(R8(0), I4(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadInt32, P_BOTH, 1, A(R8(0)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteInt32, P_BOTH, 2, A(R8(0), I4(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadDouble, P_BOTH, 1, A(R8(0)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteDouble, P_BOTH, 2, A(R8(0), R8(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_Fill, P_BOTH, 3, A(R8(0), R8(1), I4(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_Flush, P_BOTH, 0, NOARGS, HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadInt8, P_BOTH, 1, A(R8(0)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteInt8, P_BOTH, 2, A(R8(0), R8(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadInt16, P_BOTH, 1, A(R8(0)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteInt16, P_BOTH, 2, A(R8(0), R8(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadUInt16, P_BOTH, 1, A(R8(0)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteUInt16, P_BOTH, 2, A(R8(0), R8(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadUInt32, P_BOTH, 1, A(R8(0)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteUInt32, P_BOTH, 2, A(R8(0), R8(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadInt64, P_BOTH, 1, A(R8(0)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteInt64, P_BOTH, 2, A(R8(0), R8(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadUInt64, P_BOTH, 1, A(R8(0)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteUInt64, P_BOTH, 2, A(R8(0), STR(L"1")), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadSingle, P_BOTH, 1, A(R8(0)), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteSingle, P_BOTH, 2, A(R8(0), R8(1)), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadArray, P_BOTH, 3, A(R8(0), R8(1), STR(L"h")), HR_SHUT, NULL),
    ROW(T_SHUT, M_WriteArray, P_BOTH, 3, A(R8(0), VARR(3), STR(L"h")), HR_SHUT, NULL),
    ROW(T_SHUT, M_ReadInto, P_BOTH, 2, A(R8(0), BYTES(4)), HR_SHUT, NULL),
    ROW(T_SHUT, M_Unpack, P_BOTH, 2, A(R8(0), STR(L"<hi")), HR_SHUT, NULL),
    ROW(T_SHUT, M_Pack, P_BOTH, 3, A(R8(0), STR(L"<bbb"), VARR(3)), HR_SHUT, NULL),
    ROW(T_CLOSED, M_MapView, P_BOTH, 2, A(R8(0), R8(0)), SR_E_NOTOPEN, L"the region is not open"),
    ROW(T_CLOSED, M_Lock, P_BOTH, 1, A(I4(0)), SR_E_NOTOPEN, L"the region is not open"),
    ROW(T_CLOSED, M_Unlock, P_BOTH, 0, NOARGS, SR_E_NOTOPEN, L"the region is not open"),
    ROW(T_CLOSED, M_Signal, P_BOTH, 0, NOARGS, SR_E_NOTOPEN, L"the region is not open"),
    ROW(T_CLOSED, M_WaitSignal, P_BOTH, 1, A(I4(0)), SR_E_NOTOPEN, L"the region is not open"),
    ROW(T_UNMAPPED_MEMORY, M_GetAddress, P_VT, 0, NOARGS, SR_E_NOTMAPPED, L"the view is not mapped"),
};

/* Writes through a read-only region, view or file never fault and never change a byte. */
static const struct row ro_rows[] =
{
    ROW(T_RO, M_WriteBytes, P_BOTH, 2, A(R8(0), BYTES(4)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteString, P_BOTH, 2, A(R8(0), STR(L"x")), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteByte, P_BOTH, 2, A(R8(0), I4(1)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteInt32, P_BOTH, 2, A(R8(0), I4(1)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteDouble, P_BOTH, 2, A(R8(0), R8(1)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_Fill, P_BOTH, 3, A(R8(0), R8(16), I4(1)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteInt8, P_BOTH, 2, A(R8(0), R8(1)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteInt16, P_BOTH, 2, A(R8(1), R8(1)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteUInt16, P_BOTH, 2, A(R8(0), R8(1)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteUInt32, P_BOTH, 2, A(R8(0), R8(1)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteInt64, P_BOTH, 2, A(R8(0), STR(L"1")), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteUInt64, P_BOTH, 2, A(R8(0), R8(1)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteSingle, P_BOTH, 2, A(R8(0), R8(1)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_WriteArray, P_BOTH, 3, A(R8(0), VARR(3), STR(L"d")), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO, M_Pack, P_BOTH, 3, A(R8(0), STR(L"<bbb"), VARR(3)), E_ACCESSDENIED, L"is read-only"),
    ROW(T_RO_REGION, M_MapView, P_BOTH, 3, A(R8(0), R8(0), I4(0)), E_ACCESSDENIED, L"a ReadOnly region cannot give a ReadWrite view"),
    ROW(T_FILE_RO, M_WriteBytes, P_BOTH, 2, A(R8(0), BYTES(4)), E_ACCESSDENIED, L"the region is read-only"),
    ROW(T_FILE_RO, M_Fill, P_BOTH, 3, A(R8(0), R8(1), I4(0)), E_ACCESSDENIED, L"the region is read-only"),
    ROW(T_FILE_RO, M_WriteString, P_BOTH, 2, A(R8(0), STR(L"x")), E_ACCESSDENIED, L"the region is read-only"),
    ROW(T_FILE_RO, M_MapView, P_BOTH, 3, A(R8(0), R8(0), I4(0)), E_ACCESSDENIED, L"cannot give a ReadWrite view"),
};

/* Members only the region has: MapView, the lock and signal, binding an open object, properties. */
static const struct row region_rows[] =
{
    ROW(T_REGION, M_MapView, P_BOTH, 2, A(R8(-1), R8(0)), E_INVALIDARG, L"offset -1 is negative"),
    ROW(T_REGION, M_MapView, P_BOTH, 2, A(R8(NAN), R8(0)), E_INVALIDARG, L"offset is NaN"),
    ROW(T_REGION, M_MapView, P_BOTH, 2, A(R8(0.5), R8(0)), E_INVALIDARG, L"offset 0.5 is not a whole number"),
    ROW(T_REGION, M_MapView, P_BOTH, 2, A(R8(0), R8(-4096)), E_INVALIDARG, L"size -4096 is negative"),
    ROW(T_REGION, M_MapView, P_BOTH, 2, A(R8(0), R8(INFINITY)), E_INVALIDARG, L"size is infinite"),
    ROW(T_REGION, M_MapView, P_BOTH, 2, A(R8(0), R8(TWO53 + 2)), E_INVALIDARG, L"larger than 2^53"),
    ROW(T_REGION, M_MapView, P_BOTH, 2, A(END(0), R8(0)), E_INVALIDARG, L"is at or past the end of the region"),
    ROW(T_REGION, M_MapView, P_BOTH, 2, A(R8(4096), END(0)), E_INVALIDARG, L"offset 4096 + size 65536 is past the end"),
    ROW(T_REGION, M_MapView, P_BOTH, 3, A(R8(0), R8(0), I4(3)), E_INVALIDARG, L"access 3 is not 0 (ReadWrite), 1 (ReadOnly) or 2 (CopyOnWrite)"),
    ROW(T_REGION, M_MapView, P_BOTH, 3, A(R8(0), R8(0), R8(0.5)), E_INVALIDARG, L"access 0.5 is not"),
    ROW(T_REGION, M_MapView, P_BOTH, 3, A(R8(0), R8(0), STR(L"Write")), E_INVALIDARG, L"access \"Write\" is not ReadWrite, ReadOnly or CopyOnWrite (or 0, 1, 2)"),
    ROWF(T_REGION, M_MapView, P_VT, 2, A(R8(0), R8(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_REGION, M_MapView, P_DISP, 1, A(R8(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes 2 to 3 (offset, size, access)"),
    ROW(T_REGION, M_Lock, P_BOTH, 1, A(I4(-2)), E_INVALIDARG, L"timeoutMs -2 is negative"),
    ROWF(T_REGION, M_Lock, P_VT, 1, A(I4(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_REGION, M_Lock, P_DISP, 1, A(STR(L"soon")), DISP_E_TYPEMISMATCH, L"argument 1 (timeoutMs) must be a whole number"),
    ROW(T_REGION, M_Lock, P_DISP, 1, A(R8(1e10)), DISP_E_OVERFLOW, L"argument 1 (timeoutMs) is out of range"),
    ROW(T_REGION, M_Lock, P_DISP, 2, A(I4(0), I4(0)), DISP_E_BADPARAMCOUNT, L"2 arguments given; it takes 0 to 1 (timeoutMs)"),
    ROW(T_REGION, M_Unlock, P_BOTH, 0, NOARGS, NOT_OWNER, L"this object does not hold the region's lock"),
    ROW(T_REGION, M_Unlock, P_DISP, 1, A(I4(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes none"),
    ROW(T_REGION, M_Signal, P_DISP, 1, A(I4(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes none"),
    ROW(T_REGION, M_WaitSignal, P_BOTH, 1, A(I4(-5)), E_INVALIDARG, L"timeoutMs -5 is negative"),
    ROWF(T_REGION, M_WaitSignal, P_VT, 1, A(I4(0)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_REGION, M_Close, P_DISP, 1, A(I4(0)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes none"),
    ROW(T_REGION, M_Create, P_BOTH, 2, A(STR(L"@unique"), R8(4096)), SR_E_ALREADYOPEN, L"this object already has a region open"),
    ROW(T_REGION, M_Open, P_BOTH, 1, A(STR(L"@existing")), SR_E_ALREADYOPEN, L"call Close first"),
    ROW(T_REGION, M_OpenOrCreate, P_BOTH, 2, A(STR(L"@unique"), R8(4096)), SR_E_ALREADYOPEN, L"call Close first"),
    ROW(T_REGION, M_OpenFile, P_BOTH, 1, A(STR(L"@datafile")), SR_E_ALREADYOPEN, L"call Close first"),
    ROWF(T_REGION, M_Name, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_REGION, M_Size, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_REGION, M_Access, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_REGION, M_IsOpen, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_REGION, M_Created, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_REGION, M_FilePath, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_REGION, M_LockAbandoned, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_REGION, M_Name, P_DISP, 1, A(STR(L"x")), DISP_E_MEMBERNOTFOUND, L"is a read-only property; it cannot be assigned", F_PUT),
    ROWF(T_REGION, M_Size, P_DISP, 1, A(R8(1)), DISP_E_MEMBERNOTFOUND, L"is a read-only property", F_PUT),
    ROWF(T_REGION, M_Access, P_DISP, 1, A(I4(1)), DISP_E_MEMBERNOTFOUND, L"is a read-only property", F_PUT),
    ROWF(T_REGION, M_IsOpen, P_DISP, 1, A(BOOLV(0)), DISP_E_MEMBERNOTFOUND, L"is a read-only property", F_PUT),
    ROWF(T_REGION, M_Created, P_DISP, 1, A(BOOLV(1)), DISP_E_MEMBERNOTFOUND, L"is a read-only property", F_PUT),
    ROWF(T_REGION, M_FilePath, P_DISP, 1, A(STR(L"C:\\x")), DISP_E_MEMBERNOTFOUND, L"is a read-only property", F_PUT),
    ROWF(T_REGION, M_LockAbandoned, P_DISP, 1, A(BOOLV(0)), DISP_E_MEMBERNOTFOUND, L"is a read-only property", F_PUT),
};

/* Members only the view has. */
static const struct row view_rows[] =
{
    ROWF(T_VIEW, M_Offset, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_VIEW, M_Size, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_VIEW, M_Access, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_VIEW, M_Region, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_VIEW, M_IsMapped, P_VT, 0, NOARGS, E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROWF(T_VIEW, M_Offset, P_DISP, 1, A(R8(0)), DISP_E_MEMBERNOTFOUND, L"is a read-only property", F_PUT),
    ROWF(T_VIEW, M_Size, P_DISP, 1, A(R8(0)), DISP_E_MEMBERNOTFOUND, L"is a read-only property", F_PUT),
    ROWF(T_VIEW, M_Access, P_DISP, 1, A(I4(0)), DISP_E_MEMBERNOTFOUND, L"is a read-only property", F_PUT),
    ROWF(T_VIEW, M_Region, P_DISP, 1, A(OBJ), DISP_E_MEMBERNOTFOUND, L"is a read-only property", F_PUT),
    ROWF(T_VIEW, M_IsMapped, P_DISP, 1, A(BOOLV(0)), DISP_E_MEMBERNOTFOUND, L"is a read-only property", F_PUT),
    ROW(T_VIEW, M_Unmap, P_DISP, 1, A(I4(1)), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes none"),
    ROWF(T_MEMORY, M_GetAddress, P_VT, 0, NOARGS, E_POINTER, L"address and size must not be NULL", F_NULL_OUT),
    ROWF(T_MEMORY, M_GetAddress, P_VT, 0, NOARGS, E_POINTER, L"address and size must not be NULL", F_NULL_ALT),
};

/* Binding calls on a new object: names, sizes, sddl, files. */
static const struct row bind_rows[] =
{
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(REPEAT(L"n", MAX_PATH + 1), R8(4096)), E_INVALIDARG, L"the name is 261 characters long; the longest allowed is 260"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"a\\b"), R8(4096)), E_INVALIDARG, L"contains a backslash"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"Local\\"), R8(4096)), E_INVALIDARG, L"has nothing after its namespace"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"Global\\"), R8(4096)), E_INVALIDARG, L"has nothing after its namespace"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"Local\\a\\b"), R8(4096)), E_INVALIDARG, L"contains a backslash"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"Session\\1\\x"), R8(4096)), E_INVALIDARG, L"contains a backslash"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STRNUL(L"sr-hard-nul"), R8(4096)), E_INVALIDARG, L"the name contains a NUL character at position 11"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"@unique"), R8(0)), E_INVALIDARG, L"size must be at least 1 byte"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"@unique"), R8(-4096)), E_INVALIDARG, L"size -4096 is negative"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"@unique"), R8(NAN)), E_INVALIDARG, L"size is NaN"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"@unique"), R8(INFINITY)), E_INVALIDARG, L"size is infinite"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"@unique"), R8(4096.5)), E_INVALIDARG, L"size 4096.5 is not a whole number"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"@unique"), R8(TWO53 + 2)), E_INVALIDARG, L"larger than 2^53"),
    ROW(T_FRESH, M_Create, P_BOTH, 3, A(STR(L"@unique"), R8(4096), STR(L"D:(A;;ZZ;;;WD)")), E_INVALIDARG, L"sddl 'D:(A;;ZZ;;;WD)' is not a valid security descriptor string"),
    ROW(T_FRESH, M_Create, P_BOTH, 3, A(STR(L"@unique"), R8(4096), STR(L"owner only")), E_INVALIDARG, L"is not a valid security descriptor string"),
    ROW(T_FRESH, M_Create, P_BOTH, 3, A(STR(L"@unique"), R8(4096), STRNUL(L"D:P(A;;GA;;;WD)")), E_INVALIDARG, L"the sddl contains a NUL character"),
    ROW(T_FRESH, M_Create, P_BOTH, 3, A(STR(L"@unique"), R8(4096), OBJ), DISP_E_TYPEMISMATCH, L"sddl must be a string, not an Object"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"@existing"), R8(4096)), EXISTS, L"already exists; Create never opens an existing name"),
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"@mutex"), R8(4096)), EXISTS, L"already exists (it belongs to another kind of kernel object)"),
    ROW(T_FRESH, M_Create, P_DISP, 1, A(STR(L"@unique")), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes 2 to 3 (name, size, sddl)"),
    ROW(T_FRESH, M_Create, P_DISP, 2, A(STR(L"@unique"), STR(L"big")), DISP_E_TYPEMISMATCH, L"argument 2 (size) must be a number, not a String"),
    ROW(T_FRESH, M_Create, P_DISP, 2, A(OBJ, R8(4096)), DISP_E_TYPEMISMATCH, L"argument 1 (name) must be a string, not an Object"),
    ROW(T_FRESH, M_Create, P_DISP, 2, A(NULLV, R8(4096)), DISP_E_TYPEMISMATCH, L"argument 1 (name) must be a string, not Null"),

    ROW(T_FRESH, M_Open, P_BOTH, 1, A(STR(L"")), E_INVALIDARG, L"the name is empty"),
    ROW(T_FRESH, M_Open, P_BOTH, 1, A(STR(L"@unique")), NOT_FOUND, L"no region named"),
    ROW(T_FRESH, M_Open, P_BOTH, 1, A(REPEAT(L"o", 300)), E_INVALIDARG, L"the name is 300 characters long"),
    ROW(T_FRESH, M_Open, P_BOTH, 1, A(STR(L"x\\y")), E_INVALIDARG, L"contains a backslash"),
    ROW(T_FRESH, M_Open, P_BOTH, 1, A(STRNUL(L"@existing")), E_INVALIDARG, L"the name contains a NUL character"),
    ROW(T_FRESH, M_Open, P_BOTH, 2, A(STR(L"@existing"), I4(3)), E_INVALIDARG, L"access 3 is not"),
    ROW(T_FRESH, M_Open, P_BOTH, 2, A(STR(L"@existing"), R8(-1)), E_INVALIDARG, L"access -1 is not"),
    ROW(T_FRESH, M_Open, P_BOTH, 2, A(STR(L"@existing"), R8(NAN)), E_INVALIDARG, L"access nan is not"),
    ROW(T_FRESH, M_Open, P_BOTH, 2, A(STR(L"@existing"), STR(L"ro")), E_INVALIDARG, L"access \"ro\" is not ReadWrite, ReadOnly or CopyOnWrite (or 0, 1, 2)"),
    ROW(T_FRESH, M_Open, P_BOTH, 1, A(STR(L"@mutex")), WRONG_KIND, L"another kind of kernel object"),
    ROW(T_FRESH, M_Open, P_DISP, 0, NOARGS, DISP_E_BADPARAMCOUNT, L"0 arguments given; it takes 1 to 2 (name, access)"),

    ROW(T_FRESH, M_OpenOrCreate, P_BOTH, 2, A(STR(L""), R8(4096)), E_INVALIDARG, L"an anonymous region cannot be opened"),
    ROW(T_FRESH, M_OpenOrCreate, P_BOTH, 2, A(STR(L"@unique"), R8(0)), E_INVALIDARG, L"size must be at least 1 byte"),
    ROW(T_FRESH, M_OpenOrCreate, P_BOTH, 2, A(STR(L"@unique"), R8(NAN)), E_INVALIDARG, L"size is NaN"),
    ROW(T_FRESH, M_OpenOrCreate, P_BOTH, 2, A(REPEAT(L"q", 1000), R8(4096)), E_INVALIDARG, L"the name is 1000 characters long"),
    ROW(T_FRESH, M_OpenOrCreate, P_BOTH, 2, A(STR(L"Global\\x\\y"), R8(4096)), E_INVALIDARG, L"contains a backslash"),
    ROW(T_FRESH, M_OpenOrCreate, P_BOTH, 3, A(STR(L"@unique"), R8(4096), STR(L"D:(Q;;GA;;;WD)")), E_INVALIDARG, L"is not a valid security descriptor string"),
    ROWF(T_FRESH, M_OpenOrCreate, P_VT, 2, A(STR(L"@unique"), R8(4096)), E_POINTER, L"the result pointer is NULL", F_NULL_OUT),
    ROW(T_FRESH, M_OpenOrCreate, P_BOTH, 2, A(STR(L"@mutex"), R8(4096)), WRONG_KIND, L"another kind of kernel object"),
    ROW(T_FRESH, M_OpenOrCreate, P_DISP, 1, A(STR(L"@unique")), DISP_E_BADPARAMCOUNT, L"1 argument given; it takes 2 to 3 (name, size, sddl)"),

    ROW(T_FRESH, M_OpenFile, P_BOTH, 1, A(STR(L"")), E_INVALIDARG, L"the path is empty"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 1, A(STR(L"@missingfile")), NOT_FOUND, L"cannot open"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 1, A(STR(L"@missingdir")), PATH_NOT_FOUND, L"cannot open"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 1, A(STR(L"@dir")), IS_DIRECTORY, L"is a directory, not a file"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 1, A(STR(L"@emptyfile")), SR_E_EMPTYFILE, L"is empty; pass a size to grow it"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 3, A(STR(L"@datafile"), R8(1e6), I4(1)), E_INVALIDARG, L"only a ReadWrite mapping can grow a file"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 2, A(STR(L"@datafile"), R8(-1)), E_INVALIDARG, L"size -1 is negative"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 2, A(STR(L"@datafile"), R8(NAN)), E_INVALIDARG, L"size is NaN"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 2, A(STR(L"@datafile"), R8(100.5)), E_INVALIDARG, L"size 100.5 is not a whole number"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 2, A(STR(L"@datafile"), STR(L"all")), DISP_E_TYPEMISMATCH, L"size must be a number, not a String"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 3, A(STR(L"@datafile"), MISSING, I4(5)), E_INVALIDARG, L"access 5 is not"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 4, A(STR(L"@datafile"), MISSING, MISSING, STR(L"a\\b")), E_INVALIDARG, L"contains a backslash"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 4, A(STR(L"@datafile"), MISSING, MISSING, STRNUL(L"sr-hard")), E_INVALIDARG, L"the name contains a NUL character"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 4, A(STR(L"@datafile"), MISSING, MISSING, STR(L"@existing")), EXISTS, L"OpenFile never shares a mapping under a name that is taken"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 1, A(STRNUL(L"@datafile")), E_INVALIDARG, L"the path contains a NUL character"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 1, A(REPEAT(L"p", 40000)), E_INVALIDARG, L"...' is not a usable path (40000 characters; a path has at most 32767)"),
    ROW(T_FRESH, M_OpenFile, P_DISP, 1, A(R8(5)), NOT_FOUND, L"cannot open"),
    ROW(T_FRESH, M_OpenFile, P_DISP, 0, NOARGS, DISP_E_BADPARAMCOUNT, L"0 arguments given; it takes 1 to 4 (path, size, access, name)"),
};

/* A read-only file opened for writing. Kept apart: a process with the power to override file
 * permissions (root on Linux under Wine) may be allowed to open it; that is detected. */
static const struct row rofile_rows[] =
{
    ROW(T_FRESH, M_OpenFile, P_BOTH, 1, A(STR(L"@rofile")), DENIED, L"cannot open"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 3, A(STR(L"@rofile"), MISSING, I4(0)), DENIED, L"for ReadWrite"),
};

/* Global\ names without SeCreateGlobalPrivilege (run with the privilege removed from this thread). */
static const struct row global_rows[] =
{
    ROW(T_FRESH, M_Create, P_BOTH, 2, A(STR(L"@global"), R8(4096)), DENIED, L"needs the SeCreateGlobalPrivilege privilege"),
    ROW(T_FRESH, M_OpenOrCreate, P_BOTH, 2, A(STR(L"@global"), R8(4096)), DENIED, L"needs the SeCreateGlobalPrivilege privilege"),
    ROW(T_FRESH, M_OpenFile, P_BOTH, 4, A(STR(L"@datafile"), MISSING, MISSING, STR(L"@global")), DENIED, L"needs the SeCreateGlobalPrivilege privilege"),
};

/* COM plumbing (IUnknown, IDispatch): exact HRESULTs, and no rich error, by convention. */
static const struct row plumbing_rows[] =
{
    ROWF(T_REGION, M_QueryInterface, P_VT, 0, NOARGS, E_POINTER, NULL, F_NODESC | F_NULL_OUT),
    ROWF(T_REGION, M_QueryInterface, P_VT, 0, NOARGS, E_NOINTERFACE, NULL, F_NODESC),
    ROWF(T_REGION, M_GetTypeInfoCount, P_VT, 0, NOARGS, E_POINTER, NULL, F_NODESC | F_NULL_OUT),
    ROWF(T_REGION, M_GetTypeInfo, P_VT, 1, A(I4(1)), DISP_E_BADINDEX, NULL, F_NODESC),
    ROWF(T_REGION, M_GetTypeInfo, P_VT, 1, A(I4(0)), E_POINTER, NULL, F_NODESC | F_NULL_OUT),
    ROWF(T_REGION, M_GetIDsOfNames, P_VT, 1, A(STR(L"NoSuchMember")), DISP_E_UNKNOWNNAME, NULL, F_NODESC),
    ROWF(T_REGION, M_GetIDsOfNames, P_VT, 1, A(STR(L"ReadBytes")), DISP_E_UNKNOWNINTERFACE, NULL, F_NODESC | F_NULL_ALT),
    ROWF(T_REGION, M_Invoke, P_VT, 1, A(I4(100)), DISP_E_UNKNOWNINTERFACE, NULL, F_NODESC | F_NULL_ALT),
    ROWF(T_REGION, M_Invoke, P_VT, 1, A(I4(999)), DISP_E_MEMBERNOTFOUND, NULL, F_NODESC),
    ROWF(T_REGION, M_Invoke, P_VT, 1, A(I4(0)), DISP_E_MEMBERNOTFOUND, NULL, F_NODESC),
    ROWF(T_VIEW, M_QueryInterface, P_VT, 0, NOARGS, E_POINTER, NULL, F_NODESC | F_NULL_OUT),
    ROWF(T_VIEW, M_QueryInterface, P_VT, 0, NOARGS, E_NOINTERFACE, NULL, F_NODESC),
    ROWF(T_VIEW, M_GetTypeInfoCount, P_VT, 0, NOARGS, E_POINTER, NULL, F_NODESC | F_NULL_OUT),
    ROWF(T_VIEW, M_GetTypeInfo, P_VT, 1, A(I4(2)), DISP_E_BADINDEX, NULL, F_NODESC),
    ROWF(T_VIEW, M_GetIDsOfNames, P_VT, 1, A(STR(L"MapView")), DISP_E_UNKNOWNNAME, NULL, F_NODESC),
    ROWF(T_VIEW, M_Invoke, P_VT, 1, A(I4(-7)), DISP_E_MEMBERNOTFOUND, NULL, F_NODESC),
    ROWF(T_VIEW, M_Invoke, P_VT, 1, A(I4(100)), DISP_E_UNKNOWNINTERFACE, NULL, F_NODESC | F_NULL_ALT),
};

/* ---- the fixture: every object a row can name ---- */

static struct
{
    WCHAR name[64], kernel_name[80], mutex_name[80], file_name[64], file_kernel[80];
    WCHAR datafile[MAX_PATH], rofile[MAX_PATH], emptyfile[MAX_PATH], dir[MAX_PATH], missingfile[MAX_PATH],
          missingdir[MAX_PATH];
    ISharedRegion *region, *closed, *ro, *file_ro;
    ISharedView *view, *unmapped, *roview;
    ISharedViewMemory *memory, *unmapped_memory;
    HANDLE mutex;
    struct raw_view raw, file_raw;
    unsigned int vt_cases, disp_cases;
    BOOL rofile_skipped, global_skipped;   /* those two tables were not run (their tests skipped) */
} fx;

static unsigned int unique_counter;

static const WCHAR *fixture_string(const WCHAR *s, WCHAR *buf, size_t size)
{
    if (s[0] != '@') return s;
    if (!wcscmp(s, L"@unique"))
        swprintf(buf, size, L"sr-hard-bad-%lu-%u", GetCurrentProcessId(), ++unique_counter);
    else if (!wcscmp(s, L"@global"))
        swprintf(buf, size, L"Global\\sr-hard-bad-%lu-%u", GetCurrentProcessId(), ++unique_counter);
    else if (!wcscmp(s, L"@existing")) return fx.name;
    else if (!wcscmp(s, L"@mutex")) return fx.mutex_name;
    else if (!wcscmp(s, L"@datafile")) return fx.datafile;
    else if (!wcscmp(s, L"@rofile")) return fx.rofile;
    else if (!wcscmp(s, L"@emptyfile")) return fx.emptyfile;
    else if (!wcscmp(s, L"@dir")) return fx.dir;
    else if (!wcscmp(s, L"@missingfile")) return fx.missingfile;
    else if (!wcscmp(s, L"@missingdir")) return fx.missingdir;
    else fail_msg("unknown fixture string %ls", s);
    return buf;
}

static int fixture_setup(void **state)
{
    BYTE *p;
    VARIANT v;
    BSTR b;
    WCHAR dir[MAX_PATH];

    if (com_setup(state)) return -1;
    swprintf(fx.name, ARRAY_SIZE(fx.name), L"sr-hard-bad-%lu", GetCurrentProcessId());
    swprintf(fx.kernel_name, ARRAY_SIZE(fx.kernel_name), L"Local\\%ls", fx.name);
    swprintf(fx.mutex_name, ARRAY_SIZE(fx.mutex_name), L"sr-hard-bad-mutex-%lu", GetCurrentProcessId());
    swprintf(fx.file_name, ARRAY_SIZE(fx.file_name), L"sr-hard-bad-file-%lu", GetCurrentProcessId());
    swprintf(fx.file_kernel, ARRAY_SIZE(fx.file_kernel), L"Local\\%ls", fx.file_name);

    /* The region, filled with the pattern through a raw mapping of our own. */
    fx.region = create_region(fx.name, REGION_SIZE);
    raw_open(&fx.raw, fx.kernel_name, REGION_SIZE);
    {
        HANDLE s = OpenFileMappingW(FILE_MAP_WRITE, FALSE, fx.kernel_name);
        p = MapViewOfFile(s, FILE_MAP_WRITE, 0, 0, REGION_SIZE);
        fill_pattern(p, REGION_SIZE, 0);
        UnmapViewOfFile(p);
        CloseHandle(s);
    }
    if (ISharedRegion_MapView(fx.region, VIEW_OFFSET, VIEW_SIZE, missing(), &fx.view) != S_OK) return -1;
    ISharedView_QueryInterface(fx.view, &IID_ISharedViewMemory, (void **)&fx.memory);

    fx.closed = create_region(L"", 4096);
    ISharedRegion_Close(fx.closed);
    if (ISharedRegion_MapView(fx.region, 0, 4096, missing(), &fx.unmapped) != S_OK) return -1;
    ISharedView_QueryInterface(fx.unmapped, &IID_ISharedViewMemory, (void **)&fx.unmapped_memory);
    ISharedView_Unmap(fx.unmapped);

    fx.ro = new_region();
    if (open_region(fx.ro, fx.name, RegionReadOnly) != S_OK) return -1;
    if (ISharedRegion_MapView(fx.ro, 0, VIEW_SIZE, missing(), &fx.roview) != S_OK) return -1;

    fx.mutex = CreateMutexW(NULL, FALSE, fx.mutex_name);

    /* Files: data, read-only, empty; a directory; a file and a directory that do not exist. */
    temp_path(fx.datafile, MAX_PATH, L"data");
    temp_path(fx.rofile, MAX_PATH, L"readonly");
    temp_path(fx.emptyfile, MAX_PATH, L"empty");
    temp_path(fx.missingfile, MAX_PATH, L"missing");
    GetTempPathW(ARRAY_SIZE(dir), dir);
    swprintf(fx.dir, MAX_PATH, L"%lssr-hard-dir-%lu", dir, GetCurrentProcessId());
    swprintf(fx.missingdir, MAX_PATH, L"%lssr-hard-nodir-%lu\\x.bin", dir, GetCurrentProcessId());
    SetFileAttributesW(fx.rofile, FILE_ATTRIBUTE_NORMAL);
    if (!write_file(fx.datafile, FILE_SIZE, TRUE) || !write_file(fx.rofile, FILE_SIZE, TRUE)
        || !write_file(fx.emptyfile, 0, FALSE))
        return -1;
    SetFileAttributesW(fx.rofile, FILE_ATTRIBUTE_READONLY);
    CreateDirectoryW(fx.dir, NULL);
    DeleteFileW(fx.missingfile);

    /* A ReadOnly region on the data file, shared under a name so the test can checksum it. */
    fx.file_ro = new_region();
    b = SysAllocString(fx.datafile);
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(fx.file_name);
    if (ISharedRegion_OpenFile(fx.file_ro, b, missing(), vnum(RegionReadOnly), v) != S_OK) return -1;
    VariantClear(&v);
    SysFreeString(b);
    raw_open(&fx.file_raw, fx.file_kernel, FILE_SIZE);
    return 0;
}

static int fixture_teardown(void **state)
{
    raw_close(&fx.raw);
    raw_close(&fx.file_raw);
    ISharedViewMemory_Release(fx.memory);
    ISharedViewMemory_Release(fx.unmapped_memory);
    ISharedView_Release(fx.view);
    ISharedView_Release(fx.unmapped);
    ISharedView_Release(fx.roview);
    ISharedRegion_Release(fx.region);
    ISharedRegion_Release(fx.closed);
    ISharedRegion_Release(fx.ro);
    ISharedRegion_Release(fx.file_ro);
    CloseHandle(fx.mutex);
    SetFileAttributesW(fx.rofile, FILE_ATTRIBUTE_NORMAL);
    DeleteFileW(fx.datafile);
    DeleteFileW(fx.rofile);
    DeleteFileW(fx.emptyfile);
    RemoveDirectoryW(fx.dir);
    /* Every object is gone: the server can unload and the names are gone. */
    if (server_can_unload_now() != S_OK || section_exists(fx.name))
    {
        print_error("objects or names outlived the test\n");
        return -1;
    }
    return com_teardown(state);
}

/* ---- running a case ---- */

static BOOL is_view(enum target t)
{
    return t == T_VIEW || t == T_UNMAPPED || t == T_RO_VIEW;
}

static IUnknown *target_object(enum target t)
{
    switch (t)
    {
    case T_REGION: return (IUnknown *)fx.region;
    case T_VIEW: return (IUnknown *)fx.view;
    case T_CLOSED: return (IUnknown *)fx.closed;
    case T_UNMAPPED: return (IUnknown *)fx.unmapped;
    case T_RO_REGION: return (IUnknown *)fx.ro;
    case T_RO_VIEW: return (IUnknown *)fx.roview;
    case T_FILE_RO: return (IUnknown *)fx.file_ro;
    case T_MEMORY: return (IUnknown *)fx.memory;
    case T_UNMAPPED_MEMORY: return (IUnknown *)fx.unmapped_memory;
    default: fail_msg("no object for target %d", t);
    }
    return NULL;
}

static double target_size(enum target t)
{
    switch (t)
    {
    case T_VIEW: case T_RO_VIEW: return VIEW_SIZE;
    case T_FILE_RO: return FILE_SIZE;
    default: return REGION_SIZE;
    }
}

static SAFEARRAY *variant_array(int n, const VARIANT *items)
{
    SAFEARRAY *sa = SafeArrayCreateVector(VT_VARIANT, 0, n);
    LONG i;
    for (i = 0; i < n; i++) SafeArrayPutElement(sa, &i, (void *)&items[i]);
    return sa;
}

/* Storage that by-reference arguments point into; it lives as long as the case. */
struct arg_store
{
    double r8[5];
};

static void make_arg(const struct arg *a, enum target t, VARIANT *v, struct arg_store *store, int index)
{
    WCHAR buf[64], *s;
    int i;

    VariantInit(v);
    switch (a->kind)
    {
    case A_NONE: case A_MISSING: *v = missing(); break;
    case A_R8: *v = vnum(a->d); break;
    case A_I4: V_VT(v) = VT_I4; V_I4(v) = (LONG)a->d; break;
    case A_END: *v = vnum(target_size(t) + a->d); break;
    case A_STR: *v = vstr(fixture_string(a->s, buf, ARRAY_SIZE(buf))); break;
    case A_STRNUL:
    {
        const WCHAR *base = fixture_string(a->s, buf, ARRAY_SIZE(buf));
        size_t n = wcslen(base);
        V_VT(v) = VT_BSTR;
        V_BSTR(v) = SysAllocStringLen(NULL, (UINT)n + 2);
        memcpy(V_BSTR(v), base, n * sizeof(WCHAR));
        V_BSTR(v)[n] = 0;
        V_BSTR(v)[n + 1] = 'x';
        break;
    }
    case A_REPEAT:
        V_VT(v) = VT_BSTR;
        V_BSTR(v) = s = SysAllocStringLen(NULL, (UINT)a->d);
        for (i = 0; i < (int)a->d; i++) s[i] = a->s[0];
        break;
    case A_EMPTY: break;
    case A_NULL: V_VT(v) = VT_NULL; break;
    case A_BOOL: *v = vbool(a->d != 0); break;
    case A_OBJ:
        V_VT(v) = VT_DISPATCH;
        V_DISPATCH(v) = (IDispatch *)fx.closed;
        IDispatch_AddRef(V_DISPATCH(v));
        break;
    case A_BYTES:
    {
        static const BYTE bytes[64] = { 0x11, 0x22, 0x33, 0x44 };
        *v = byte_array(bytes, (ULONG)a->d);
        break;
    }
    case A_VARR:
    {
        VARIANT items[3] = { vnum(1), vnum(2), vnum(a->d) };
        V_VT(v) = VT_ARRAY | VT_VARIANT;
        V_ARRAY(v) = variant_array(3, items);
        break;
    }
    case A_VARR_STR:
    {
        VARIANT items[2] = { vnum(1), vstr(a->s) };
        V_VT(v) = VT_ARRAY | VT_VARIANT;
        V_ARRAY(v) = variant_array(2, items);
        VariantClear(&items[1]);
        break;
    }
    case A_ARR2D:
    {
        SAFEARRAYBOUND bounds[2] = { { 2, 0 }, { 2, 0 } };
        V_VT(v) = VT_ARRAY | VT_UI1;
        V_ARRAY(v) = SafeArrayCreate(VT_UI1, 2, bounds);
        break;
    }
    case A_MISLABEL:
    {
        VARIANT items[2] = { vnum(1), vnum(2) };
        V_VT(v) = VT_ARRAY | VT_I4;            /* says 4-byte integers ... */
        V_ARRAY(v) = variant_array(2, items);  /* ... holds 24-byte VARIANTs */
        break;
    }
    case A_DECARR:
    {
        SAFEARRAY *sa = SafeArrayCreateVector(VT_DECIMAL, 0, 2);
        DECIMAL d;
        LONG i0 = 0, i1 = 1;
        VarDecFromR8(1, &d);
        SafeArrayPutElement(sa, &i0, &d);
        VarDecFromR8(a->d, &d);
        SafeArrayPutElement(sa, &i1, &d);
        V_VT(v) = VT_ARRAY | VT_DECIMAL;
        V_ARRAY(v) = sa;
        break;
    }
    case A_NULLREF:
        V_VT(v) = VT_BYREF | VT_ARRAY | VT_UI1;
        V_ARRAYREF(v) = NULL;
        break;
    case A_BADVT:
        V_VT(v) = (VARTYPE)a->d;
        V_I8(v) = 0;
        break;
    case A_REF_R8:
        store->r8[index] = a->d;
        V_VT(v) = VT_BYREF | VT_R8;
        V_R8REF(v) = &store->r8[index];
        break;
    case A_NULLBSTR:
        V_VT(v) = VT_BYREF | VT_BSTR;
        V_BSTRREF(v) = NULL;
        break;
    case A_VARR_NULLBSTR:
    {
        VARIANT item;
        V_VT(&item) = VT_BYREF | VT_BSTR;
        V_BSTRREF(&item) = NULL;
        V_VT(v) = VT_ARRAY | VT_VARIANT;
        V_ARRAY(v) = variant_array(1, &item);
        break;
    }
    }
}

static void free_arg(VARIANT *v)
{
    if (V_VT(v) & VT_BYREF) return; /* points into the case's storage */
    if ((V_VT(v) & VT_TYPEMASK) >= 0x40 && (V_VT(v) & VT_TYPEMASK) < 0x48) return; /* not a real type */
    VariantClear(v);
}

static double arg_dbl(const VARIANT *v)
{
    if (V_VT(v) == VT_R8) return V_R8(v);
    if (V_VT(v) == VT_I4) return V_I4(v);
    fail_msg("a vtable case needs a number, not vt %#x", V_VT(v));
    return 0;
}

static LONG arg_long(const VARIANT *v)
{
    if (V_VT(v) == VT_I4) return V_I4(v);
    if (V_VT(v) == VT_R8) return (LONG)V_R8(v);
    fail_msg("a vtable case needs an integer, not vt %#x", V_VT(v));
    return 0;
}

static BSTR arg_bstr(const VARIANT *v)
{
    if (V_VT(v) == VT_BSTR) return V_BSTR(v);
    fail_msg("a vtable case needs a string, not vt %#x", V_VT(v));
    return NULL;
}

union out
{
    VARIANT v;
    BSTR s;
    LONG l;
    BYTE b;
    double d;
    VARIANT_BOOL vb;
    SHORT sh;
    void *p;
    RegionAccess acc;
    SIZE_T size;
    BYTE raw[sizeof(VARIANT)];
};

#define RES(field) (null_out ? NULL : &out->field)

static HRESULT call_vtable(const struct row *r, enum target t, IUnknown *obj, VARIANT *a, union out *out)
{
    ISharedRegion *R = (ISharedRegion *)obj;
    ISharedView *V = (ISharedView *)obj;
    ISharedData *D = (ISharedData *)obj; /* a region's and a view's interface both begin with ISharedData */
    BOOL null_out = (r->flags & F_NULL_OUT) != 0, view = is_view(t);

    switch (r->member)
    {
    case M_Create: return ISharedRegion_Create(R, arg_bstr(&a[0]), arg_dbl(&a[1]), a[2]);
    case M_Open: return ISharedRegion_Open(R, arg_bstr(&a[0]), a[1]);
    case M_OpenOrCreate: return ISharedRegion_OpenOrCreate(R, arg_bstr(&a[0]), arg_dbl(&a[1]), a[2], RES(vb));
    case M_OpenFile: return ISharedRegion_OpenFile(R, arg_bstr(&a[0]), a[1], a[2], a[3]);
    case M_Close: return ISharedRegion_Close(R);
    case M_Name: return ISharedRegion_get_Name(R, RES(s));
    case M_Size: return view ? ISharedView_get_Size(V, RES(d)) : ISharedRegion_get_Size(R, RES(d));
    case M_Access: return view ? ISharedView_get_Access(V, RES(acc)) : ISharedRegion_get_Access(R, RES(acc));
    case M_IsOpen: return ISharedRegion_get_IsOpen(R, RES(vb));
    case M_Created: return ISharedRegion_get_Created(R, RES(vb));
    case M_FilePath: return ISharedRegion_get_FilePath(R, RES(s));
    case M_LockAbandoned: return ISharedRegion_get_LockAbandoned(R, RES(vb));
    case M_ReadBytes:
        return view ? ISharedView_ReadBytes(V, arg_dbl(&a[0]), arg_dbl(&a[1]), RES(v))
                    : ISharedRegion_ReadBytes(R, arg_dbl(&a[0]), arg_dbl(&a[1]), RES(v));
    case M_WriteBytes:
        return view ? ISharedView_WriteBytes(V, arg_dbl(&a[0]), a[1]) : ISharedRegion_WriteBytes(R, arg_dbl(&a[0]), a[1]);
    case M_ReadString:
        return view ? ISharedView_ReadString(V, arg_dbl(&a[0]), a[1], a[2], RES(s))
                    : ISharedRegion_ReadString(R, arg_dbl(&a[0]), a[1], a[2], RES(s));
    case M_WriteString:
        return view ? ISharedView_WriteString(V, arg_dbl(&a[0]), arg_bstr(&a[1]), a[2], a[3], RES(l))
                    : ISharedRegion_WriteString(R, arg_dbl(&a[0]), arg_bstr(&a[1]), a[2], a[3], RES(l));
    case M_ReadByte:
        return view ? ISharedView_ReadByte(V, arg_dbl(&a[0]), RES(b)) : ISharedRegion_ReadByte(R, arg_dbl(&a[0]), RES(b));
    case M_WriteByte:
        return view ? ISharedView_WriteByte(V, arg_dbl(&a[0]), arg_dbl(&a[1]))
                    : ISharedRegion_WriteByte(R, arg_dbl(&a[0]), arg_dbl(&a[1]));
    case M_ReadInt32:
        return view ? ISharedView_ReadInt32(V, arg_dbl(&a[0]), RES(l)) : ISharedRegion_ReadInt32(R, arg_dbl(&a[0]), RES(l));
    case M_WriteInt32:
        return view ? ISharedView_WriteInt32(V, arg_dbl(&a[0]), arg_dbl(&a[1]))
                    : ISharedRegion_WriteInt32(R, arg_dbl(&a[0]), arg_dbl(&a[1]));
    case M_ReadDouble:
        return view ? ISharedView_ReadDouble(V, arg_dbl(&a[0]), RES(d)) : ISharedRegion_ReadDouble(R, arg_dbl(&a[0]), RES(d));
    case M_WriteDouble:
        return view ? ISharedView_WriteDouble(V, arg_dbl(&a[0]), arg_dbl(&a[1]))
                    : ISharedRegion_WriteDouble(R, arg_dbl(&a[0]), arg_dbl(&a[1]));
    case M_Fill:
        return view ? ISharedView_Fill(V, arg_dbl(&a[0]), arg_dbl(&a[1]), arg_long(&a[2]))
                    : ISharedRegion_Fill(R, arg_dbl(&a[0]), arg_dbl(&a[1]), arg_long(&a[2]));
    case M_Flush: return view ? ISharedView_Flush(V, a[0], a[1]) : ISharedRegion_Flush(R, a[0], a[1]);
    case M_ReadInt8: return ISharedData_ReadInt8(D, arg_dbl(&a[0]), RES(sh));
    case M_WriteInt8: return ISharedData_WriteInt8(D, arg_dbl(&a[0]), arg_dbl(&a[1]));
    case M_ReadInt16: return ISharedData_ReadInt16(D, arg_dbl(&a[0]), RES(sh));
    case M_WriteInt16: return ISharedData_WriteInt16(D, arg_dbl(&a[0]), arg_dbl(&a[1]));
    case M_ReadUInt16: return ISharedData_ReadUInt16(D, arg_dbl(&a[0]), RES(l));
    case M_WriteUInt16: return ISharedData_WriteUInt16(D, arg_dbl(&a[0]), arg_dbl(&a[1]));
    case M_ReadUInt32: return ISharedData_ReadUInt32(D, arg_dbl(&a[0]), RES(d));
    case M_WriteUInt32: return ISharedData_WriteUInt32(D, arg_dbl(&a[0]), arg_dbl(&a[1]));
    case M_ReadInt64: return ISharedData_ReadInt64(D, arg_dbl(&a[0]), RES(v));
    case M_WriteInt64: return ISharedData_WriteInt64(D, arg_dbl(&a[0]), a[1]);
    case M_ReadUInt64: return ISharedData_ReadUInt64(D, arg_dbl(&a[0]), RES(v));
    case M_WriteUInt64: return ISharedData_WriteUInt64(D, arg_dbl(&a[0]), a[1]);
    case M_ReadSingle: return ISharedData_ReadSingle(D, arg_dbl(&a[0]), RES(d));
    case M_WriteSingle: return ISharedData_WriteSingle(D, arg_dbl(&a[0]), arg_dbl(&a[1]));
    case M_ReadArray: return ISharedData_ReadArray(D, arg_dbl(&a[0]), arg_dbl(&a[1]), a[2], RES(v));
    case M_WriteArray: return ISharedData_WriteArray(D, arg_dbl(&a[0]), a[1], a[2], RES(l));
    case M_ReadInto: return ISharedData_ReadInto(D, arg_dbl(&a[0]), a[1], RES(l));
    case M_Unpack: return ISharedData_Unpack(D, arg_dbl(&a[0]), arg_bstr(&a[1]), a[2], RES(v));
    case M_Pack: return ISharedData_Pack(D, arg_dbl(&a[0]), arg_bstr(&a[1]), a[2], a[3], RES(l));
    case M_CalcSize: return ISharedData_CalcSize(D, arg_bstr(&a[0]), RES(l));
    case M_MapView: return ISharedRegion_MapView(R, arg_dbl(&a[0]), arg_dbl(&a[1]), a[2], (ISharedView **)RES(p));
    case M_Lock: return ISharedRegion_Lock(R, arg_long(&a[0]), RES(vb));
    case M_Unlock: return ISharedRegion_Unlock(R);
    case M_Signal: return ISharedRegion_Signal(R);
    case M_WaitSignal: return ISharedRegion_WaitSignal(R, arg_long(&a[0]), RES(vb));
    case M_Offset: return ISharedView_get_Offset(V, RES(d));
    case M_Region: return ISharedView_get_Region(V, (ISharedRegion **)RES(p));
    case M_IsMapped: return ISharedView_get_IsMapped(V, RES(vb));
    case M_Unmap: return ISharedView_Unmap(V);
    case M_GetAddress:
        if (r->flags & F_NULL_ALT) return ISharedViewMemory_GetAddress((ISharedViewMemory *)obj, &out->p, NULL);
        return ISharedViewMemory_GetAddress((ISharedViewMemory *)obj, RES(p), &out->size);
    case M_QueryInterface:
        return IUnknown_QueryInterface(obj, null_out ? &IID_IUnknown : &IID_IPersist, RES(p));
    case M_GetTypeInfoCount: return IDispatch_GetTypeInfoCount((IDispatch *)obj, (UINT *)RES(l));
    case M_GetTypeInfo: return IDispatch_GetTypeInfo((IDispatch *)obj, arg_long(&a[0]), 0, (ITypeInfo **)RES(p));
    case M_GetIDsOfNames:
    {
        LPOLESTR name = arg_bstr(&a[0]);
        return IDispatch_GetIDsOfNames((IDispatch *)obj, (r->flags & F_NULL_ALT) ? &IID_IUnknown : &IID_NULL,
                                       &name, 1, 0, (DISPID *)&out->l);
    }
    case M_Invoke:
    {
        DISPPARAMS dp = { NULL, NULL, 0, 0 };
        EXCEPINFO ei;
        HRESULT hr;
        memset(&ei, 0, sizeof(ei));
        hr = IDispatch_Invoke((IDispatch *)obj, arg_long(&a[0]), (r->flags & F_NULL_ALT) ? &IID_IUnknown : &IID_NULL,
                              0, DISPATCH_METHOD, &dp, &out->v, &ei, NULL);
        if (ei.bstrDescription || ei.bstrSource)
            fail_msg("line %d: Invoke filled EXCEPINFO for a plumbing failure", r->line);
        return hr;
    }
    }
    fail_msg("line %d: no vtable call for member %d", r->line, r->member);
    return E_FAIL;
}

/* After a failed call, an out-value the caller passed is cleared (no stale or garbage result). */
static void assert_out_cleared(const struct row *r, const union out *out)
{
    static const BYTE zero[sizeof(VARIANT)];
    size_t n;

    switch (members[r->member].out)
    {
    case O_VARIANT: n = sizeof(VARIANT); break;
    case O_BSTR: case O_PTR: n = sizeof(void *); break;
    case O_LONG: case O_ENUM: n = sizeof(LONG); break;
    case O_BYTE: n = 1; break;
    case O_SHORT: n = sizeof(SHORT); break;
    case O_DOUBLE: n = sizeof(double); break;
    case O_BOOL: n = sizeof(VARIANT_BOOL); break;
    default: return;
    }
    if (memcmp(out->raw, zero, members[r->member].out == O_VARIANT ? sizeof(VARTYPE) : n))
        fail_msg("line %d: %ls left its out-value set after failing", r->line, members[r->member].name);
}

static HRESULT call_dispatch(const struct row *r, IDispatch *d, VARIANT *a, VARIANT *result, WCHAR *desc, size_t size)
{
    LPOLESTR name = (LPOLESTR)members[r->member].name;
    DISPID id, named = DISPID_PROPERTYPUT, named_pos = 7;
    DISPPARAMS dp = { NULL, NULL, (UINT)r->argc, 0 };
    VARIANT rev[8];
    EXCEPINFO ei;
    UINT argerr = ~0u;
    WORD flags = members[r->member].flags;
    HRESULT hr;
    int i;

    desc[0] = 0;
    if ((hr = IDispatch_GetIDsOfNames(d, &IID_NULL, &name, 1, 0, &id)) != S_OK)
        fail_msg("line %d: GetIDsOfNames(%ls) failed: %#lx", r->line, name, hr);
    for (i = 0; i < r->argc; i++) rev[r->argc - 1 - i] = a[i];
    dp.rgvarg = rev;
    if (r->flags & F_PUT)
    {
        flags = DISPATCH_PROPERTYPUT;
        dp.rgdispidNamedArgs = &named;
        dp.cNamedArgs = 1;
    }
    else if (r->flags & F_NAMED)
    {
        dp.rgdispidNamedArgs = &named_pos; /* rgvarg[0] as "the argument with DISPID 7": there is none */
        dp.cNamedArgs = 1;
    }
    memset(&ei, 0, sizeof(ei));
    VariantInit(result);
    hr = IDispatch_Invoke(d, id, &IID_NULL, LOCALE_USER_DEFAULT, flags, &dp, result, &ei, &argerr);
    if (hr == DISP_E_EXCEPTION)
    {
        if (ei.pfnDeferredFillIn) ei.pfnDeferredFillIn(&ei);
        if (ei.bstrDescription) lstrcpynW(desc, ei.bstrDescription, (int)size);
        if (!ei.bstrSource || wcscmp(ei.bstrSource, L"SharedRegion.Region"))
            fail_msg("line %d: EXCEPINFO source '%ls'", r->line, ei.bstrSource ? ei.bstrSource : L"(null)");
        hr = ei.scode;
        SysFreeString(ei.bstrDescription);
        SysFreeString(ei.bstrSource);
        SysFreeString(ei.bstrHelpFile);
    }
    else if (ei.bstrDescription || ei.bstrSource)
        fail_msg("line %d: EXCEPINFO filled but Invoke returned %#lx", r->line, hr);
    /* When the type library refused argument N, puArgErr names it (in rgvarg order). */
    {
        const WCHAR *p = r->detail ? wcsstr(r->detail, L"argument ") : NULL;
        unsigned int n = 0;
        int used = 0;
        if (p && swscanf(p, L"argument %u (%n", &n, &used) >= 1 && used && argerr != (UINT)r->argc - n)
            fail_msg("line %d: puArgErr %u, expected %u", r->line, argerr, (UINT)r->argc - n);
    }
    return hr;
}

/* A failed call returns no data. The dispatcher may still copy the member's cleared out-value into
 * the result (Wine's type library does): then it must be the empty value of its type. */
static void assert_no_data(const struct row *r, VARIANT *result)
{
    BOOL empty;

    switch (V_VT(result))
    {
    case VT_EMPTY: empty = TRUE; break;
    case VT_BSTR: empty = SysStringLen(V_BSTR(result)) == 0; break;
    case VT_DISPATCH: case VT_UNKNOWN: empty = V_UNKNOWN(result) == NULL; break;
    case VT_BOOL: empty = V_BOOL(result) == VARIANT_FALSE; break;
    case VT_I2: empty = V_I2(result) == 0; break;
    case VT_I4: empty = V_I4(result) == 0; break;
    case VT_UI1: empty = V_UI1(result) == 0; break;
    case VT_R8: empty = V_R8(result) == 0; break;
    default: empty = (V_VT(result) & VT_ARRAY) && !V_ARRAY(result); break;
    }
    if (!empty) fail_msg("line %d (IDispatch): the failed call returned data (vt %#x)", r->line, V_VT(result));
    VariantClear(result);
}

static void expect_description(const struct row *r, const WCHAR *desc, const WCHAR *member, const WCHAR *detail,
                               const char *path)
{
    size_t n = wcslen(member);
    if (wcsncmp(desc, member, n) || desc[n] != ':')
        fail_msg("line %d (%s): description '%ls' does not start with '%ls:'", r->line, path, desc, member);
    if (detail && !wcsstr(desc, detail))
        fail_msg("line %d (%s): description '%ls' does not say '%ls'", r->line, path, desc, detail);
}

static const struct raw_view *checksum_view(enum target t)
{
    return t == T_FILE_RO ? &fx.file_raw : &fx.raw;
}

static void run_case(const struct row *r, enum target t, enum path path)
{
    const struct raw_view *raw = checksum_view(t);
    ULONGLONG before = raw_checksum(raw), after;
    struct arg_store store;
    VARIANT a[5], result;
    union out out;
    IUnknown *obj;
    HRESULT hr, expected = r->hr;
    const WCHAR *member = members[r->member].name, *detail = r->detail;
    WCHAR desc[2048];
    int i;

    if (expected == HR_SHUT)
    {
        expected = is_view(t) ? SR_E_NOTMAPPED : SR_E_NOTOPEN;
        detail = is_view(t) ? L"the view is not mapped (Unmap was called)"
                            : L"the region is not open (call Create, Open, OpenOrCreate or OpenFile first)";
    }
    if (path == P_DISP && r->hr_disp) expected = r->hr_disp;
    if (r->member == M_GetAddress) member = L"GetAddress";
    obj = t == T_FRESH ? (IUnknown *)new_region() : target_object(t);
    for (i = 0; i < 5; i++) make_arg(&r->args[i], t, &a[i], &store, i);

    if (path == P_VT)
    {
        IErrorInfo *info = NULL;
        memset(&out, 0xa5, sizeof(out));
        SetErrorInfo(0, NULL);
        hr = call_vtable(r, t, obj, a, &out);
        if (hr != expected)
            fail_msg("line %d (vtable, %ls on target %d): hr %#lx, expected %#lx", r->line, member, t, hr, expected);
        if (r->flags & F_NODESC)
        {
            if (GetErrorInfo(0, &info) == S_OK && info)
            {
                IErrorInfo_Release(info);
                fail_msg("line %d: COM plumbing set rich error information", r->line);
            }
        }
        else
        {
            GUID guid;
            if (GetErrorInfo(0, &info) != S_OK || !info)
                fail_msg("line %d (vtable): %ls set no error information", r->line, member);
            IErrorInfo_GetGUID(info, &guid);
            desc[0] = 0;
            {
                BSTR b = NULL;
                IErrorInfo_GetDescription(info, &b);
                if (b) lstrcpynW(desc, b, ARRAY_SIZE(desc));
                SysFreeString(b);
            }
            IErrorInfo_Release(info);
            expect_description(r, desc, member, detail, "vtable");
            if (!IsEqualGUID(&guid, (is_view(t) || t == T_MEMORY || t == T_UNMAPPED_MEMORY) ? &IID_ISharedView
                                                                                             : &IID_ISharedRegion))
                fail_msg("line %d (vtable): the error's GUID is not the interface's", r->line);
            if (!(r->flags & F_NULL_OUT)) assert_out_cleared(r, &out);
        }
        fx.vt_cases++;
    }
    else
    {
        hr = call_dispatch(r, (IDispatch *)obj, a, &result, desc, ARRAY_SIZE(desc));
        if (hr != expected)
            fail_msg("line %d (IDispatch, %ls on target %d): hr %#lx, expected %#lx ('%ls')", r->line, member, t, hr,
                     expected, desc);
        expect_description(r, desc, member, detail, "IDispatch");
        assert_no_data(r, &result);
        fx.disp_cases++;
    }
    for (i = 0; i < 5; i++) free_arg(&a[i]);
    if (t == T_FRESH) IUnknown_Release(obj);
    after = raw_checksum(raw);
    if (after != before) fail_msg("line %d: the region's bytes changed", r->line);
}

static void run_rows(const struct row *rows, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
    {
        const struct row *r = &rows[i];
        enum target targets[2] = { r->target, r->target };
        int nt = 1, k;
        if (r->target == T_DATA) { targets[0] = T_REGION; targets[1] = T_VIEW; nt = 2; }
        if (r->target == T_SHUT) { targets[0] = T_CLOSED; targets[1] = T_UNMAPPED; nt = 2; }
        if (r->target == T_RO) { targets[0] = T_RO_REGION; targets[1] = T_RO_VIEW; nt = 2; }
        for (k = 0; k < nt; k++)
        {
            if (r->path & P_VT) run_case(r, targets[k], P_VT);
            if (r->path & P_DISP) run_case(r, targets[k], P_DISP);
        }
    }
}

/* ---- the tests ---- */

static void test_bad_input_to_data_members(void **state)
{
    run_rows(data_rows, ARRAY_SIZE(data_rows));
}

static void test_bad_input_on_closed_region_and_unmapped_view(void **state)
{
    run_rows(shut_rows, ARRAY_SIZE(shut_rows));
}

static void test_bad_input_writes_through_read_only(void **state)
{
    run_rows(ro_rows, ARRAY_SIZE(ro_rows));
}

static void test_bad_input_to_region_members(void **state)
{
    run_rows(region_rows, ARRAY_SIZE(region_rows));
}

static void test_bad_input_to_view_members(void **state)
{
    run_rows(view_rows, ARRAY_SIZE(view_rows));
}

static void test_bad_input_to_binding_calls(void **state)
{
    run_rows(bind_rows, ARRAY_SIZE(bind_rows));
}

static void test_bad_input_to_com_plumbing(void **state)
{
    run_rows(plumbing_rows, ARRAY_SIZE(plumbing_rows));
}

static void test_read_only_file_opened_for_writing(void **state)
{
    HANDLE h = CreateFileW(fx.rofile, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, 0, NULL);
    if (h != INVALID_HANDLE_VALUE)
    {
        CloseHandle(h);
        print_message("[  SKIP    ] this process may write to a file marked read-only (it holds the power to "
                      "override file permissions), so a read-only file cannot be refused here\n");
        fx.rofile_skipped = TRUE;
        skip();
    }
    run_rows(rofile_rows, ARRAY_SIZE(rofile_rows));
}

static void test_global_name_without_privilege(void **state)
{
    TOKEN_PRIVILEGES tp;
    HANDLE process, token;
    HRESULT hr;
    ISharedRegion *r;
    BSTR name;
    WCHAR buf[64];

    /* This thread impersonates a copy of our token without SeCreateGlobalPrivilege. */
    memset(&tp, 0, sizeof(tp));
    tp.PrivilegeCount = 1;
    assert_true(OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &process));
    assert_true(DuplicateTokenEx(process, TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY | TOKEN_IMPERSONATE, NULL,
                                 SecurityImpersonation, TokenImpersonation, &token));
    CloseHandle(process);
    assert_true(LookupPrivilegeValueW(NULL, L"SeCreateGlobalPrivilege", &tp.Privileges[0].Luid));
    tp.Privileges[0].Attributes = SE_PRIVILEGE_REMOVED;
    assert_true(AdjustTokenPrivileges(token, FALSE, &tp, 0, NULL, NULL));
    assert_true(SetThreadToken(NULL, token));

    /* Does the system refuse a Global\ name now? */
    r = new_region();
    name = SysAllocString(fixture_string(L"@global", buf, ARRAY_SIZE(buf)));
    hr = ISharedRegion_Create(r, name, 4096, missing());
    SysFreeString(name);
    ISharedRegion_Release(r);
    if (hr == S_OK)
    {
        RevertToSelf();
        CloseHandle(token);
        print_message("[  SKIP    ] the system created a Global\\ name for a token without SeCreateGlobalPrivilege "
                      "(%s does not enforce that privilege), so the refusal cannot be observed\n",
                      wine_version() ? "Wine" : "this system");
        fx.global_skipped = TRUE;
        skip();
    }
    run_rows(global_rows, ARRAY_SIZE(global_rows));
    RevertToSelf();
    CloseHandle(token);
}

/* The typed writes take a Double and judge the script's own number: a fraction that oleaut32 rounded half
 * to even when WriteByte and WriteInt32 took a Long (2.5 stored 2, 3.5 stored 4) is refused, and nothing
 * is written. */
static void test_dispatch_refuses_fractional_typed_values(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    VARIANT res;

    assert_int_equal(disp_method(r, L"WriteByte", NULL, 2, vnum(10), vnum(9)), S_OK);
    assert_disp_error(disp_method(r, L"WriteByte", NULL, 2, vnum(10), vnum(2.5)), E_INVALIDARG, L"WriteByte");
    assert_disp_error(disp_method(r, L"WriteByte", NULL, 2, vnum(10), vnum(3.5)), E_INVALIDARG, L"WriteByte");
    assert_disp_error(disp_method(r, L"WriteInt32", NULL, 2, vnum(10), vnum(2.5)), E_INVALIDARG, L"WriteInt32");
    assert_int_equal(disp_method(r, L"ReadByte", &res, 1, vnum(10)), S_OK);
    assert_int_equal(V_UI1(&res), 9);
    ISharedRegion_Release(r);
}

/* The element types WriteBytes converts: each is read at its own size (DECIMAL fills a VARIANT). */
static void test_write_bytes_reads_every_element_type_right(void **state)
{
    static const struct { VARTYPE vt; double value; } types[] =
    {
        { VT_I1, 7 }, { VT_I2, 200 }, { VT_I4, 201 }, { VT_R4, 202 }, { VT_R8, 203 }, { VT_CY, 204 },
        { VT_DATE, 205 }, { VT_BSTR, 206 }, { VT_BOOL, 0 }, { VT_DECIMAL, 207 }, { VT_UI2, 208 },
        { VT_UI4, 209 }, { VT_I8, 210 }, { VT_UI8, 211 }, { VT_INT, 212 }, { VT_UINT, 213 }, { VT_VARIANT, 214 },
    };
    ISharedRegion *r = create_region(L"", 4096);
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(types); i++)
    {
        SAFEARRAY *sa = SafeArrayCreateVector(types[i].vt, 0, 3);
        VARIANT v, el, conv;
        BYTE expect[3];
        LONG k;

        for (k = 0; k < 3; k++)
        {
            double value = types[i].vt == VT_BOOL ? 0 : k == 1 ? types[i].value : 9 + k; /* True is -1 */
            expect[k] = (BYTE)value;
            el = vnum(value);
            VariantInit(&conv);
            if (types[i].vt == VT_VARIANT) conv = el;
            else assert_int_equal(VariantChangeType(&conv, &el, 0, types[i].vt), S_OK);
            if (types[i].vt == VT_VARIANT) assert_int_equal(SafeArrayPutElement(sa, &k, &conv), S_OK);
            else if (types[i].vt == VT_BSTR) assert_int_equal(SafeArrayPutElement(sa, &k, V_BSTR(&conv)), S_OK);
            else if (types[i].vt == VT_DECIMAL) assert_int_equal(SafeArrayPutElement(sa, &k, &V_DECIMAL(&conv)), S_OK);
            else assert_int_equal(SafeArrayPutElement(sa, &k, &V_I1(&conv)), S_OK);
            VariantClear(&conv);
        }
        V_VT(&v) = VT_ARRAY | types[i].vt;
        V_ARRAY(&v) = sa;
        if (ISharedRegion_WriteBytes(r, 100 * i, v) != S_OK)
            fail_msg("WriteBytes of an array of vt %u failed: %ls", types[i].vt, error_description());
        read_expect(r, 100 * i, expect, 3);
        VariantClear(&v);
    }
    ISharedRegion_Release(r);
}

/* Named arguments are positions (VB's `r.ReadString 0, encoding:="utf-16"`), after the positional ones. */
static void test_named_arguments_are_positions(void **state)
{
    ISharedRegion *r = create_region(L"", 4096);
    DISPID named[2] = { 2, 3 };          /* encoding, terminate */
    VARIANT args[4], res;
    DISPPARAMS dp;
    EXCEPINFO ei;
    BSTR text;

    /* WriteString(offset 16, text "hi", terminate:=True, encoding:="utf-16"): rgvarg holds the named ones first. */
    args[0] = vbool(TRUE);               /* DISPID 3, terminate */
    args[1] = vstr(L"utf-16");           /* DISPID 2, encoding */
    args[2] = vstr(L"hi");
    args[3] = vnum(16);
    named[0] = 3;
    named[1] = 2;
    dp.rgvarg = args;
    dp.cArgs = 4;
    dp.rgdispidNamedArgs = named;
    dp.cNamedArgs = 2;
    memset(&ei, 0, sizeof(ei));
    VariantInit(&res);
    assert_int_equal(IDispatch_Invoke((IDispatch *)r, 103, &IID_NULL, 0, DISPATCH_METHOD, &dp, &res, &ei, NULL), S_OK);
    assert_int_equal(V_VT(&res), VT_I4);
    assert_int_equal(V_I4(&res), 6);     /* "hi" and the terminator in UTF-16 */
    /* ReadString(16, encoding:="utf-16"), skipping maxBytes. */
    args[0] = args[1];
    args[1] = vnum(16);
    named[0] = 2;
    dp.cArgs = 2;
    dp.cNamedArgs = 1;
    assert_int_equal(IDispatch_Invoke((IDispatch *)r, 102, &IID_NULL, 0, DISPATCH_METHOD, &dp, &res, &ei, NULL), S_OK);
    assert_int_equal(V_VT(&res), VT_BSTR);
    assert_wstr_equal(V_BSTR(&res), L"hi");
    VariantClear(&res);
    /* The same through the vtable. */
    assert_int_equal(ISharedRegion_ReadString(r, 16, missing(), args[0], &text), S_OK);
    assert_wstr_equal(text, L"hi");
    SysFreeString(text);
    /* A named argument given twice, or one that repeats a positional one, is refused. */
    named[0] = 0;
    assert_int_equal(IDispatch_Invoke((IDispatch *)r, 102, &IID_NULL, 0, DISPATCH_METHOD, &dp, &res, &ei, NULL),
                     DISP_E_EXCEPTION);
    assert_int_equal(ei.scode, DISP_E_PARAMNOTFOUND);
    assert_non_null(wcsstr(ei.bstrDescription, L"ReadString: named argument 0 is not one of its arguments"));
    SysFreeString(ei.bstrDescription);
    SysFreeString(ei.bstrSource);
    VariantClear(&args[0]);
    VariantClear(&args[2]);
    ISharedRegion_Release(r);
}

static ULONG refs_of(IUnknown *u)
{
    IUnknown_AddRef(u);
    return IUnknown_Release(u);
}

/* Calls refused around the type library keep no reference on an object passed as an argument (some
 * type libraries copy arguments, fail, and keep the copies). */
static void test_refused_calls_keep_no_reference(void **state)
{
    static const struct
    {
        DISPID id;
        WORD flags;
        UINT argc, named;
        DISPID named_id;
        int object_at;        /* rgvarg index of the object */
        VARTYPE others;
        HRESULT scode;
    } shapes[] =
    {
        { 200, DISPATCH_METHOD | DISPATCH_PROPERTYGET | DISPATCH_PROPERTYPUT, 4, 1, DISPID_PROPERTYPUT, 1, VT_I2,
          DISP_E_PARAMNOTFOUND },                                               /* a put value given to a method */
        { 102, DISPATCH_METHOD, 3, 0, 0, 1, 0x4d, DISP_E_BADVARTYPE },         /* an invalid type after an object */
        { 111, DISPATCH_METHOD, 1, 1, 1, 0, VT_EMPTY, DISP_E_TYPEMISMATCH },   /* count:=object, offset skipped */
        { 101, DISPATCH_METHOD, 3, 0, 0, 0, VT_R8, DISP_E_BADPARAMCOUNT },     /* one argument too many */
    };
    ISharedRegion *r = create_region(L"", 4096), *object = new_region();
    unsigned int i, k;

    for (i = 0; i < ARRAY_SIZE(shapes); i++)
    {
        VARIANT args[4];
        DISPID named = shapes[i].named_id;
        DISPPARAMS dp = { args, shapes[i].named ? &named : NULL, shapes[i].argc, shapes[i].named };
        EXCEPINFO ei;
        VARIANT res;
        ULONG before = refs_of((IUnknown *)object);

        for (k = 0; k < shapes[i].argc; k++)
        {
            V_VT(&args[k]) = shapes[i].others;
            V_I8(&args[k]) = 0;
        }
        V_VT(&args[shapes[i].object_at]) = VT_DISPATCH;
        V_DISPATCH(&args[shapes[i].object_at]) = (IDispatch *)object;
        memset(&ei, 0, sizeof(ei));
        VariantInit(&res);
        assert_int_equal(IDispatch_Invoke((IDispatch *)r, shapes[i].id, &IID_NULL, 0, shapes[i].flags, &dp, &res, &ei,
                                          NULL), DISP_E_EXCEPTION);
        if (ei.scode != shapes[i].scode)
            fail_msg("shape %u: scode %#lx, expected %#lx (%ls)", i, ei.scode, shapes[i].scode, ei.bstrDescription);
        SysFreeString(ei.bstrDescription);
        SysFreeString(ei.bstrSource);
        VariantClear(&res);
        if (refs_of((IUnknown *)object) != before)
            fail_msg("shape %u: the argument object has %lu references, it had %lu", i, refs_of((IUnknown *)object),
                     before);
    }
    ISharedRegion_Release(object);
    ISharedRegion_Release(r);
}

/* The cases a table expands to, counted from the table alone: a row runs on each of its targets (two
 * for T_DATA, T_SHUT and T_RO, one otherwise), once through each path it names. */
static void count_table(const struct row *rows, size_t n, unsigned int *vt, unsigned int *disp)
{
    size_t i;
    for (i = 0; i < n; i++)
    {
        unsigned int targets = rows[i].target == T_DATA || rows[i].target == T_SHUT || rows[i].target == T_RO ? 2 : 1;
        if (rows[i].path & P_VT) *vt += targets;
        if (rows[i].path & P_DISP) *disp += targets;
    }
}

/* Last: every case of every table whose test ran was run to its end, exactly once. */
static void test_case_count(void **state)
{
    unsigned int total = fx.vt_cases + fx.disp_cases, vt = 0, disp = 0;

    count_table(data_rows, ARRAY_SIZE(data_rows), &vt, &disp);
    count_table(shut_rows, ARRAY_SIZE(shut_rows), &vt, &disp);
    count_table(ro_rows, ARRAY_SIZE(ro_rows), &vt, &disp);
    count_table(region_rows, ARRAY_SIZE(region_rows), &vt, &disp);
    count_table(view_rows, ARRAY_SIZE(view_rows), &vt, &disp);
    count_table(bind_rows, ARRAY_SIZE(bind_rows), &vt, &disp);
    count_table(plumbing_rows, ARRAY_SIZE(plumbing_rows), &vt, &disp);
    if (!fx.rofile_skipped) count_table(rofile_rows, ARRAY_SIZE(rofile_rows), &vt, &disp);
    if (!fx.global_skipped) count_table(global_rows, ARRAY_SIZE(global_rows), &vt, &disp);
    print_message("[ FIGURES  ] bad input: %u cases (%u through the vtable, %u through IDispatch), 0 crashes, "
                  "the region's bytes unchanged after every one; the tables hold %u + %u%s%s\n", total, fx.vt_cases,
                  fx.disp_cases, vt, disp, fx.rofile_skipped ? " (without the read-only file's, skipped)" : "",
                  fx.global_skipped ? " (without the Global\\ name's, skipped)" : "");
    assert_int_equal(fx.vt_cases, vt);
    assert_int_equal(fx.disp_cases, disp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input_to_data_members),
        cmocka_unit_test(test_bad_input_on_closed_region_and_unmapped_view),
        cmocka_unit_test(test_bad_input_writes_through_read_only),
        cmocka_unit_test(test_bad_input_to_region_members),
        cmocka_unit_test(test_bad_input_to_view_members),
        cmocka_unit_test(test_bad_input_to_binding_calls),
        cmocka_unit_test(test_bad_input_to_com_plumbing),
        cmocka_unit_test(test_read_only_file_opened_for_writing),
        cmocka_unit_test(test_global_name_without_privilege),
        cmocka_unit_test(test_dispatch_refuses_fractional_typed_values),
        cmocka_unit_test(test_write_bytes_reads_every_element_type_right),
        cmocka_unit_test(test_named_arguments_are_positions),
        cmocka_unit_test(test_refused_calls_keep_no_reference),
        cmocka_unit_test(test_case_count),
    };
    return cmocka_run_group_tests_name("badinput", tests, fixture_setup, fixture_teardown);
}
