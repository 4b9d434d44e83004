/*
 * srclient: the live-data commands, for typed values and structs as the server decodes them, once
 * or frame after frame while a publisher writes them.
 *
 *   srclient peek NAME TYPE [--offset N] [--count N]
 *     Reads TYPE (Int8 ... UInt64, Single, Double, any case, or a struct code b B h H i I q Q f d)
 *     through ReadArray and prints it as a script sees it: numbers in the shortest form that reads
 *     back the same, 64-bit values beyond 2^53 exactly. With --count N: N values, one per line
 *     after its offset.
 *
 *   srclient unpack NAME FORMAT [--offset N] [--encoding E] [--watch INTERVAL [--count N]]
 *     Decodes the struct at --offset with Unpack (Python's struct language, plus Nw for
 *     wchar_t[N]) and prints one field per line after its number; --encoding decodes the s and p
 *     fields. --watch decodes it again every INTERVAL under a "frame N" line, until Ctrl+C or
 *     until --count N frames are printed.
 */
#include "srclient.h"

/* ---- peek and unpack: typed values and structs, as the server decodes them ---- */

/* One decoded value as text: numbers in the shortest form that reads back the same, exact Decimals,
 * Booleans as True/False, strings in double quotes. */
void format_value(const VARIANT *v, WCHAR *buf, size_t len)
{
    VARIANT text;
    int digits;

    buf[0] = 0;
    switch (V_VT(v))
    {
    case VT_R8:
        for (digits = 15; digits <= 17; digits++)
        {
            __mingw_snwprintf(buf, len, L"%.*g", digits, V_R8(v));
            if (wcstod(buf, NULL) == V_R8(v) || V_R8(v) != V_R8(v)) break;
        }
        return;
    case VT_BOOL:
        __mingw_snwprintf(buf, len, L"%ls", V_BOOL(v) ? L"True" : L"False");
        return;
    case VT_BSTR:
        __mingw_snwprintf(buf, len, L"\"%ls\"", V_BSTR(v) ? V_BSTR(v) : L"");
        return;
    default:
        VariantInit(&text);
        if (SUCCEEDED(VariantChangeTypeEx(&text, (VARIANT *)v, LOCALE_INVARIANT, 0, VT_BSTR)))
            __mingw_snwprintf(buf, len, L"%ls", V_BSTR(&text));
        VariantClear(&text);
        return;
    }
}

/* Print the elements of a Variant() (what ReadArray and Unpack return), one per line, each after its
 * label: the offset (peek) or the field number (unpack). */
static void print_values(const VARIANT *values, ULONGLONG offset, ULONGLONG stride, BOOL labels)
{
    SAFEARRAY *sa = V_ARRAY(values);
    VARIANT *items;
    LONG i, n = sa->rgsabound[0].cElements;
    WCHAR text[4096];

    if (FAILED(SafeArrayAccessData(sa, (void **)&items))) return;
    for (i = 0; i < n; i++)
    {
        format_value(&items[i], text, ARRAY_SIZE(text));
        if (!labels) out(L"%ls\n", text);
        else if (stride) out(L"%llu: %ls\n", offset + (ULONGLONG)i * stride, text);
        else out(L"%ld: %ls\n", i, text);
    }
    SafeArrayUnaccessData(sa);
}

int cmd_peek(struct args *a)
{
    static const struct { const WCHAR *name; ULONG size; } sizes[] =
    {
        { L"int8", 1 }, { L"uint8", 1 }, { L"byte", 1 }, { L"b", 1 }, { L"B", 1 }, { L"int16", 2 }, { L"uint16", 2 },
        { L"h", 2 }, { L"H", 2 }, { L"int32", 4 }, { L"uint32", 4 }, { L"long", 4 }, { L"i", 4 }, { L"I", 4 },
        { L"single", 4 }, { L"float", 4 }, { L"f", 4 }, { L"int64", 8 }, { L"uint64", 8 }, { L"q", 8 }, { L"Q", 8 },
        { L"double", 8 }, { L"d", 8 },
    };
    VARIANT type, values;
    ISharedRegion *r;
    ULONGLONG off, count;
    ULONG size = 0, i;
    HRESULT hr;
    int rc;

    if ((rc = offset_opt(a, &off))) return rc;
    if ((rc = arg_size(a, L"count", 1, &count))) return rc;
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
        if (!wcscmp(a->pos[1], sizes[i].name) || (a->pos[1][1] && !_wcsicmp(a->pos[1], sizes[i].name)))
            size = sizes[i].size;
    if (!size)
        return bad_arg(a, L"TYPE '%ls' is not one of Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64, "
                          L"Single, Double or a struct code b B h H i I q Q f d", a->pos[1]);
    if ((rc = open_named(a, a->pos[0], 1, &r))) return rc;
    type = v_str(a->pos[1]);
    VariantInit(&values);
    hr = ISharedRegion_ReadArray(r, (double)off, (double)count, type, &values);
    VariantClear(&type);
    if (FAILED(hr)) rc = REGION_FAIL(a, hr, r, L"ReadArray");
    else print_values(&values, off, size, has(a, L"count"));
    VariantClear(&values);
    ISharedRegion_Release(r);
    return rc;
}

/* Ctrl+C, Ctrl+Break or closing the console ends a --watch between two frames. */
static HANDLE stop_event;

static BOOL WINAPI on_console_stop(DWORD type)
{
    (void)type;
    SetEvent(stop_event);
    return TRUE;
}

int cmd_unpack(struct args *a)
{
    VARIANT enc = v_missing(), values;
    ISharedRegion *r;
    ULONGLONG off, frames = 0, n;
    LONG interval = 0;
    BSTR format;
    HRESULT hr;
    int rc;

    if ((rc = offset_opt(a, &off))) return rc;
    if ((rc = arg_duration(a, L"watch", 1000, &interval))) return rc;
    if ((rc = arg_size(a, L"count", 0, &frames))) return rc;
    if (has(a, L"count") && !has(a, L"watch")) return usage_error(a, L"--count is the number of frames of --watch");
    if (has(a, L"watch") && interval < 0) return bad_arg(a, L"--watch needs an interval, not 'infinite'");
    if (has(a, L"watch") && has(a, L"count") && !frames) return bad_arg(a, L"--count must be at least 1");
    if ((rc = open_named(a, a->pos[0], 1, &r))) return rc;
    if (!(format = SysAllocString(a->pos[1]))) { ISharedRegion_Release(r); return RC_FAIL; }
    if (has(a, L"encoding")) enc = v_str(get(a, L"encoding"));
    if (has(a, L"watch"))
    {
        stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
        SetConsoleCtrlHandler(on_console_stop, TRUE);
    }
    for (n = 1; ; n++)
    {
        VariantInit(&values);
        hr = ISharedRegion_Unpack(r, (double)off, format, enc, &values);
        if (FAILED(hr)) { rc = REGION_FAIL(a, hr, r, L"Unpack"); break; }
        if (has(a, L"watch")) out(L"frame %llu\n", n);
        print_values(&values, 0, 0, TRUE);
        VariantClear(&values);
        if (!has(a, L"watch") || (frames && n >= frames)) break;
        if (WaitForSingleObject(stop_event, (DWORD)interval) == WAIT_OBJECT_0) break;
    }
    if (stop_event)
    {
        SetConsoleCtrlHandler(on_console_stop, FALSE);
        CloseHandle(stop_event);
        stop_event = NULL;
    }
    VariantClear(&enc);
    SysFreeString(format);
    ISharedRegion_Release(r);
    return rc;
}
