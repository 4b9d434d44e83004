/*
 * srclient's number parsing: sizes, offsets and counts (decimal or 0x hex, with an optional K, M,
 * G or T, at most 2^53 because they travel as doubles), durations (milliseconds, or with ms, s, m,
 * h; "infinite"), and the hex bytes of --hex; and the option readers that turn a bad value into
 * exit 6 with a sentence saying what a good one looks like.
 */
#include "srclient.h"

BOOL parse_size(const WCHAR *s, ULONGLONG *out)
{
    ULONGLONG v = 0, mult = 1;
    const WCHAR *p = s;
    int digits = 0, base = 10;

    if (!s) return FALSE;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) { base = 16; p += 2; }
    for (;; p++, digits++)
    {
        unsigned d;
        if (*p >= '0' && *p <= '9') d = *p - '0';
        else if (base == 16 && *p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
        else if (base == 16 && *p >= 'A' && *p <= 'F') d = *p - 'A' + 10;
        else break;
        if (v > (~0ULL - d) / base) return FALSE;
        v = v * base + d;
    }
    if (!digits) return FALSE;
    if (*p)
    {
        switch (*p | 0x20)
        {
        case 'k': mult = 1ULL << 10; break;
        case 'm': mult = 1ULL << 20; break;
        case 'g': mult = 1ULL << 30; break;
        case 't': mult = 1ULL << 40; break;
        default: return FALSE;
        }
        p++;
        if ((p[0] | 0x20) == 'i' && (p[1] | 0x20) == 'b') p += 2;
        else if ((p[0] | 0x20) == 'b') p++;
        if (*p) return FALSE;
        if (v > ~0ULL / mult) return FALSE;
        v *= mult;
    }
    /* Every offset and size travels as a double: beyond 2^53 it would no longer be exact. */
    if (v > (1ULL << 53)) return FALSE;
    *out = v;
    return TRUE;
}

/* A duration: milliseconds by default, or with ms, s, m, h; "infinite" or -1 for no limit. */
static BOOL parse_duration(const WCHAR *s, LONG *out)
{
    ULONGLONG v = 0, mult = 1;
    const WCHAR *p = s;
    int digits = 0;

    if (!s) return FALSE;
    if (!_wcsicmp(s, L"infinite") || !wcscmp(s, L"-1")) { *out = -1; return TRUE; }
    for (; *p >= '0' && *p <= '9'; p++, digits++)
    {
        v = v * 10 + (*p - '0');
        if (v > 0x7fffffff) return FALSE;
    }
    if (!digits) return FALSE;
    if (!_wcsicmp(p, L"ms") || !*p) mult = 1;
    else if (!_wcsicmp(p, L"s")) mult = 1000;
    else if (!_wcsicmp(p, L"m") || !_wcsicmp(p, L"min")) mult = 60000;
    else if (!_wcsicmp(p, L"h")) mult = 3600000;
    else return FALSE;
    if (v * mult > 0x7ffffffe) return FALSE;
    *out = (LONG)(v * mult);
    return TRUE;
}

/* Hex bytes: "de ad be ef", "deadbeef", "0xde,0xad", "de:ad-be_ef". Returns an error text or NULL. */
const WCHAR *parse_hex(const WCHAR *s, BYTE **bytes, ULONG *count, WCHAR *why, size_t why_len)
{
    size_t len = wcslen(s), i = 0;
    ULONG n = 0;
    BYTE *b;

    *bytes = NULL;
    *count = 0;
    if (!(b = HeapAlloc(GetProcessHeap(), 0, len / 2 + 1))) return L"out of memory";
    while (i < len)
    {
        size_t start;
        if (wcschr(L" \t,:;-_", s[i])) { i++; continue; }
        if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) i += 2;
        start = i;
        while (i < len && iswxdigit(s[i])) i++;
        if (i == start || (i < len && !wcschr(L" \t,:;-_", s[i])))
        {
            size_t at = i < len ? i : len - 1;
            __mingw_snwprintf(why, why_len, L"bad hex '%ls': '%lc' at position %llu is not a hex digit", s,
                              s[at], (unsigned long long)at + 1);
            HeapFree(GetProcessHeap(), 0, b);
            return why;
        }
        if ((i - start) % 2)
        {
            __mingw_snwprintf(why, why_len, L"bad hex '%ls': '%.*ls' has an odd number of digits "
                              L"(write each byte as two digits)", s, (int)(i - start), s + start);
            HeapFree(GetProcessHeap(), 0, b);
            return why;
        }
        for (; start < i; start += 2)
        {
            WCHAR pair[3] = { s[start], s[start + 1], 0 };
            b[n++] = (BYTE)wcstoul(pair, NULL, 16);
        }
    }
    if (!n)
    {
        __mingw_snwprintf(why, why_len, L"bad hex '%ls': no bytes in it", s);
        HeapFree(GetProcessHeap(), 0, b);
        return why;
    }
    *bytes = b;
    *count = n;
    return NULL;
}

int arg_size(const struct args *a, const WCHAR *opt, ULONGLONG def, ULONGLONG *out)
{
    const WCHAR *v = get(a, opt);
    if (!v) { *out = def; return RC_OK; }
    if (!parse_size(v, out))
        return bad_arg(a, L"--%ls '%ls' is not a number (use decimal or 0x hex, optionally with K, M, G or T)",
                       opt, v);
    return RC_OK;
}

int arg_duration(const struct args *a, const WCHAR *opt, LONG def, LONG *out)
{
    const WCHAR *v = get(a, opt);
    if (!v) { *out = def; return RC_OK; }
    if (!parse_duration(v, out))
        return bad_arg(a, L"--%ls '%ls' is not a duration (milliseconds, or a number with ms, s, m or h; "
                          L"'infinite' for no limit)", opt, v);
    return RC_OK;
}

int offset_opt(const struct args *a, ULONGLONG *off)
{
    return arg_size(a, L"offset", 0, off);
}
