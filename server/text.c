/*
 * SharedRegion server: text encodings between BSTRs and the bytes of shared memory.
 *
 * "utf-8" and "utf-16" are the two the server has always had; "ascii" and "latin-1" are done here by
 * hand, because their rules are exact (7 bits; one byte per U+0000..U+00FF) and the system's code
 * pages 20127 and 28591 are not the same everywhere; "ansi", "oem" and "cpNNN" go through the
 * system's conversion functions. No conversion is allowed to guess: bytes that are not valid in the
 * encoding are SR_E_BADENCODING on read, and a character the encoding cannot hold is SR_E_BADENCODING
 * on write, naming the character and its position, never a silent '?' or a best-fit look-alike.
 * "utf-16" is as strict as "utf-8": an odd byte count or an unpaired surrogate is SR_E_BADENCODING on
 * read, and an unpaired surrogate on write. The code pages whose system conversion cannot report an
 * invalid byte (UTF-7, ISO-2022, HZ, ISCII, Symbol) are refused by name: their reads would guess.
 */
#include <wchar.h>
#include "private.h"

#define CP_UTF16LE  1200
#define CP_ASCII    20127
#define CP_LATIN1   28591
#define CP_GB18030  54936

static BOOL is_high_surrogate(WCHAR c) { return c >= 0xd800 && c < 0xdc00; }
static BOOL is_low_surrogate(WCHAR c) { return c >= 0xdc00 && c < 0xe000; }

/* The code pages whose conversion functions take no flags (MultiByteToWideChar's documentation: 42 Symbol,
 * 50220-50229 ISO-2022, 57002-57011 ISCII, 65000 UTF-7; and 52936 HZ-GB-2312, a 7-bit code page of the
 * same family): decoding cannot report an invalid byte, which comes back as some character. */
static BOOL unchecked_codepage(UINT cp)
{
    return cp == 42 || (cp >= 50220 && cp <= 50229) || cp == 52936 || (cp >= 57002 && cp <= 57011) || cp == 65000;
}

static const struct
{
    const WCHAR *alias;
    const WCHAR *name;       /* the canonical name, used in messages */
    UINT codepage;           /* 0: the ANSI or OEM code page, looked up on each parse */
} named[] =
{
    { L"utf-8", L"utf-8", CP_UTF8 }, { L"utf8", L"utf-8", CP_UTF8 },
    { L"utf-16", L"utf-16", CP_UTF16LE }, { L"utf-16le", L"utf-16", CP_UTF16LE }, { L"utf16", L"utf-16", CP_UTF16LE },
    { L"unicode", L"utf-16", CP_UTF16LE },
    { L"ascii", L"ascii", CP_ASCII }, { L"us-ascii", L"ascii", CP_ASCII },
    { L"latin-1", L"latin-1", CP_LATIN1 }, { L"latin1", L"latin-1", CP_LATIN1 },
    { L"iso-8859-1", L"latin-1", CP_LATIN1 },
    { L"ansi", L"ansi", 0 }, { L"oem", L"oem", 0 },
    { L"windows-1252", L"cp1252", 1252 },
};

/* Names of the "cpNNN" code pages in use, kept for the life of the process so that an sr_encoding can
 * point at its name (there are a few hundred code pages at most; a full table falls back to "cpNNN"
 * without the number). Static storage: nothing to free on unload. */
static SRWLOCK cp_names_lock = SRWLOCK_INIT;
static struct { UINT codepage; WCHAR name[12]; } cp_names[256];
static LONG cp_names_count;

static const WCHAR *codepage_name(UINT cp)
{
    const WCHAR *found = NULL;
    LONG i, n;

    AcquireSRWLockShared(&cp_names_lock);
    for (i = 0; i < cp_names_count && !found; i++) if (cp_names[i].codepage == cp) found = cp_names[i].name;
    ReleaseSRWLockShared(&cp_names_lock);
    if (found) return found;
    AcquireSRWLockExclusive(&cp_names_lock);
    n = cp_names_count;
    for (i = 0; i < n && !found; i++) if (cp_names[i].codepage == cp) found = cp_names[i].name;
    if (!found && n < (LONG)ARRAY_SIZE(cp_names))
    {
        cp_names[n].codepage = cp;
        __mingw_snwprintf(cp_names[n].name, ARRAY_SIZE(cp_names[n].name), L"cp%u", cp);
        found = cp_names[n].name;
        cp_names_count = n + 1;
    }
    ReleaseSRWLockExclusive(&cp_names_lock);
    return found ? found : L"cpNNN";
}

HRESULT text_parse_encoding_name(const WCHAR *method, REFIID iid, const WCHAR *name, struct sr_encoding *enc)
{
    unsigned int i;

    enc->codepage = CP_UTF8;
    enc->unit = 1;
    enc->name = L"utf-8";
    if (!name || !*name) return S_OK;
    for (i = 0; i < ARRAY_SIZE(named); i++)
    {
        if (_wcsicmp(name, named[i].alias)) continue;
        enc->name = named[i].name;
        enc->codepage = named[i].codepage;
        if (!enc->codepage) enc->codepage = !wcscmp(named[i].name, L"ansi") ? GetACP() : GetOEMCP();
        enc->unit = enc->codepage == CP_UTF16LE ? 2 : 1;
        return S_OK;
    }
    if ((name[0] == 'c' || name[0] == 'C') && (name[1] == 'p' || name[1] == 'P') && name[2] >= '0' && name[2] <= '9')
    {
        UINT cp = 0;
        const WCHAR *p = name + 2;
        for (; *p >= '0' && *p <= '9' && cp < 100000; p++) cp = cp * 10 + (*p - '0');
        if (!*p && cp < 65536)
        {
            /* Code pages with a meaning of their own here take that meaning (and its strictness). */
            if (cp == CP_UTF8 || cp == CP_UTF16LE || cp == CP_ASCII || cp == CP_LATIN1)
            {
                enc->codepage = cp;
                enc->unit = cp == CP_UTF16LE ? 2 : 1;
                enc->name = cp == CP_UTF8 ? L"utf-8" : cp == CP_UTF16LE ? L"utf-16" : cp == CP_ASCII ? L"ascii" : L"latin-1";
                return S_OK;
            }
            if (unchecked_codepage(cp))
                return sr_error(E_INVALIDARG, iid, L"%ls: encoding '%.40ls': code page %u cannot be used: the system "
                                L"converts it without reporting invalid bytes, which would be read as text (UTF-7, "
                                L"ISO-2022, HZ, ISCII and Symbol code pages are refused)", method, name, cp);
            /* UTF-16BE and the UTF-32s have a terminator wider than one byte and are not conversions the
             * system's byte functions make: they are not offered. */
            if (cp != 1201 && cp != 12000 && cp != 12001 && IsValidCodePage(cp))
            {
                enc->codepage = cp;
                enc->unit = 1;
                enc->name = codepage_name(cp);
                return S_OK;
            }
            return sr_error(E_INVALIDARG, iid, L"%ls: encoding '%.40ls': code page %u is not installed on this system "
                            L"or cannot be used here", method, name, cp);
        }
    }
    return sr_error(E_INVALIDARG, iid, L"%ls: encoding '%.40ls' is not one of \"utf-8\", \"utf-16\", \"ansi\", \"oem\", "
                    L"\"ascii\", \"latin-1\" or a code page \"cpNNN\"", method, name);
}

HRESULT text_parse_encoding(const WCHAR *method, REFIID iid, const VARIANT *arg, struct sr_encoding *enc)
{
    BSTR name = NULL;
    HRESULT hr;

    enc->codepage = CP_UTF8;
    enc->unit = 1;
    enc->name = L"utf-8";
    if (!arg || arg_missing(arg)) return S_OK;
    if (FAILED(hr = arg_opt_string(method, L"encoding", arg, iid, &name))) return hr;
    hr = text_parse_encoding_name(method, iid, name, enc);
    SysFreeString(name);
    return hr;
}

/* WideCharToMultiByte's flags for a code page: WC_NO_BEST_FIT_CHARS, except for GB18030 (54936), which,
 * as UTF-8, takes only WC_ERR_INVALID_CHARS (it holds every character; an unpaired surrogate fails, and
 * the round-trip check still applies). */
static DWORD wc_flags(UINT cp)
{
    return cp == CP_GB18030 || cp == CP_UTF8 ? WC_ERR_INVALID_CHARS : WC_NO_BEST_FIT_CHARS;
}

static const WCHAR *label(const struct sr_encoding *enc)
{
    return enc->codepage == CP_UTF8 ? L"UTF-8" : enc->name;
}

static HRESULT decode_error(const WCHAR *method, REFIID iid, const struct sr_encoding *enc, SIZE_T n,
                            ULONGLONG offset)
{
    return sr_error(SR_E_BADENCODING, iid, L"%ls: the %Iu bytes at offset %I64u are not valid %ls", method, n, offset,
                    label(enc));
}

/* The position of the first surrogate in text[0..chars) that is not half of a pair; chars when none is. */
static UINT unpaired_surrogate(const WCHAR *text, UINT chars)
{
    UINT i;
    for (i = 0; i < chars; i++)
    {
        if (is_high_surrogate(text[i]) && i + 1 < chars && is_low_surrogate(text[i + 1])) i++;
        else if (is_high_surrogate(text[i]) || is_low_surrogate(text[i])) return i;
    }
    return chars;
}

/* UTF-16LE, strictly: an even byte count and every surrogate in a pair. */
static HRESULT decode_utf16(const WCHAR *method, REFIID iid, const BYTE *bytes, SIZE_T n, ULONGLONG offset,
                            BSTR *out)
{
    UINT bad;
    HRESULT hr = S_OK;

    if (n % 2)
        return sr_error(SR_E_BADENCODING, iid, L"%ls: the %Iu bytes at offset %I64u are not valid utf-16 (an odd "
                        L"number of bytes)", method, n, offset);
    if (!(*out = SysAllocStringLen(NULL, (UINT)(n / 2))))
        return sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for a text of %Iu bytes", method, n);
    if (n) memcpy(*out, bytes, n);
    if ((bad = unpaired_surrogate(*out, (UINT)(n / 2))) < n / 2)
    {
        hr = sr_error(SR_E_BADENCODING, iid, L"%ls: the %Iu bytes at offset %I64u are not valid utf-16 (an unpaired "
                      L"surrogate U+%04X at offset %I64u)", method, n, offset, (*out)[bad],
                      offset + (ULONGLONG)bad * 2);
        SysFreeString(*out);
        *out = NULL;
    }
    return hr;
}

HRESULT text_decode(const WCHAR *method, REFIID iid, const struct sr_encoding *enc, const BYTE *bytes, SIZE_T n,
                    ULONGLONG offset, BSTR *out)
{
    SIZE_T i;
    int chars;

    *out = NULL;
    if (n > SR_MAX_COUNT) return sr_error(E_INVALIDARG, iid, L"%ls: the text is too long (%Iu bytes)", method, n);
    switch (enc->codepage)
    {
    case CP_UTF16LE:
        return decode_utf16(method, iid, bytes, n, offset, out);
    case CP_ASCII:
    case CP_LATIN1:
        for (i = 0; enc->codepage == CP_ASCII && i < n; i++)
            if (bytes[i] > 0x7f)
                return sr_error(SR_E_BADENCODING, iid, L"%ls: the %Iu bytes at offset %I64u are not valid ascii "
                                L"(byte 0x%02X at offset %I64u)", method, n, offset, bytes[i], offset + i);
        if (!(*out = SysAllocStringLen(NULL, (UINT)n))) break;
        for (i = 0; i < n; i++) (*out)[i] = bytes[i];
        return S_OK;
    default:
    {
        /* Every code page that reaches here reports an invalid byte (unchecked ones are refused by name). */
        DWORD flags = MB_ERR_INVALID_CHARS;
        if (!n)
        {
            if (!(*out = SysAllocStringLen(NULL, 0))) break;
            return S_OK;
        }
        if (!(chars = MultiByteToWideChar(enc->codepage, flags, (const char *)bytes, (int)n, NULL, 0)))
        {
            if (GetLastError() == ERROR_NO_UNICODE_TRANSLATION || GetLastError() == ERROR_INVALID_PARAMETER)
                return decode_error(method, iid, enc, n, offset);
            return sr_win32_error(GetLastError(), iid, L"%ls: the %Iu bytes at offset %I64u cannot be read as %ls",
                                  method, n, offset, enc->name);
        }
        if (!(*out = SysAllocStringLen(NULL, chars))) break;
        MultiByteToWideChar(enc->codepage, flags, (const char *)bytes, (int)n, *out, chars);
        return S_OK;
    }
    }
    return sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for a text of %Iu bytes", method, n);
}

static HRESULT encode_error(const WCHAR *method, REFIID iid, const struct sr_encoding *enc, const WCHAR *text,
                            UINT chars, UINT pos)
{
    UINT c = text[pos];
    if (is_high_surrogate(text[pos]) && pos + 1 < chars && is_low_surrogate(text[pos + 1]))
        c = 0x10000 + ((c - 0xd800) << 10) + (text[pos + 1] - 0xdc00);
    return sr_error(SR_E_BADENCODING, iid, L"%ls: the character U+%04X at position %u of the text cannot be written "
                    L"in %ls", method, c, pos, enc->name);
}

/* Bytes of text[0..chars) in a system code page, or 0 when a character does not survive the round trip. */
static int system_encode(UINT cp, const WCHAR *text, int chars, char *buf, int size, BOOL *lossy)
{
    BOOL used = FALSE;
    DWORD flags = wc_flags(cp);
    int len;

    *lossy = FALSE;
    /* The default-character report is for the code pages that have one: not with WC_ERR_INVALID_CHARS. */
    len = WideCharToMultiByte(cp, flags, text, chars, buf, size, NULL, flags == WC_NO_BEST_FIT_CHARS ? &used : NULL);
    if (!len) return 0;
    if (used) *lossy = TRUE;
    return len;
}

/* Does text[0..chars) come back the same from its bytes? (The system converts some characters to a
 * look-alike even with WC_NO_BEST_FIT_CHARS, and some code pages never report a default character.) */
static BOOL round_trips(UINT cp, const WCHAR *text, int chars, const char *bytes, int len)
{
    WCHAR small[256], *back = small;
    BOOL same;
    int n;

    if (!len) return chars == 0;
    n = MultiByteToWideChar(cp, 0, bytes, len, NULL, 0);
    if (n != chars) return FALSE;
    if (n > (int)ARRAY_SIZE(small) && !(back = HeapAlloc(GetProcessHeap(), 0, (SIZE_T)n * sizeof(WCHAR)))) return FALSE;
    MultiByteToWideChar(cp, 0, bytes, len, back, n);
    same = !memcmp(back, text, (SIZE_T)n * sizeof(WCHAR));
    if (back != small) HeapFree(GetProcessHeap(), 0, back);
    return same;
}

/* The first character (or surrogate pair) of text that the code page cannot hold. */
static UINT first_unencodable(UINT cp, const WCHAR *text, UINT chars)
{
    char buf[16];
    UINT i;

    for (i = 0; i < chars; i++)
    {
        int w = is_high_surrogate(text[i]) && i + 1 < chars && is_low_surrogate(text[i + 1]) ? 2 : 1;
        BOOL lossy;
        int len = system_encode(cp, text + i, w, buf, sizeof(buf), &lossy);
        if (!len || lossy || !round_trips(cp, text + i, w, buf, len)) return i;
        i += w - 1;
    }
    return 0;
}

HRESULT text_encode(const WCHAR *method, REFIID iid, const struct sr_encoding *enc, const WCHAR *text, UINT chars,
                    SIZE_T extra, BYTE **out, SIZE_T *n)
{
    SIZE_T len = 0, i;
    BYTE *buf = NULL;
    BOOL lossy;
    HRESULT hr;

    *out = NULL;
    *n = 0;
    if (chars > SR_MAX_COUNT / 4)
        return sr_error(E_INVALIDARG, iid, L"%ls: the text is too long (%u characters)", method, chars);
    switch (enc->codepage)
    {
    case CP_UTF16LE:
        if ((i = unpaired_surrogate(text, chars)) < chars)
            return sr_error(SR_E_BADENCODING, iid, L"%ls: the text has an unpaired surrogate (U+%04X at position %Iu) "
                            L"and cannot be written as utf-16", method, text[i], i);
        len = (SIZE_T)chars * sizeof(WCHAR);
        if (!(buf = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, len + extra + 1))) goto oom;
        if (chars) memcpy(buf, text, len);
        break;
    case CP_ASCII:
    case CP_LATIN1:
        for (i = 0; i < chars; i++)
            if (text[i] > (enc->codepage == CP_ASCII ? 0x7f : 0xff))
                return encode_error(method, iid, enc, text, chars, (UINT)i);
        len = chars;
        if (!(buf = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, len + extra + 1))) goto oom;
        for (i = 0; i < chars; i++) buf[i] = (BYTE)text[i];
        break;
    case CP_UTF8:
        if (chars && !(len = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, text, chars, NULL, 0, NULL, NULL)))
            return sr_error(SR_E_BADENCODING, iid,
                            L"%ls: the text has an unpaired surrogate and cannot be written as UTF-8", method);
        if (!(buf = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, len + extra + 1))) goto oom;
        if (len) WideCharToMultiByte(CP_UTF8, 0, text, chars, (char *)buf, (int)len, NULL, NULL);
        break;
    default:
        if (chars)
        {
            int size = WideCharToMultiByte(enc->codepage, wc_flags(enc->codepage), text, chars, NULL, 0, NULL, NULL);
            if (!size) return encode_error(method, iid, enc, text, chars, first_unencodable(enc->codepage, text, chars));
            if (!(buf = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, (SIZE_T)size + extra + 1))) goto oom;
            len = system_encode(enc->codepage, text, chars, (char *)buf, size, &lossy);
            if (!len || lossy || !round_trips(enc->codepage, text, chars, (char *)buf, (int)len))
            {
                hr = encode_error(method, iid, enc, text, chars, first_unencodable(enc->codepage, text, chars));
                HeapFree(GetProcessHeap(), 0, buf);
                return hr;
            }
        }
        else if (!(buf = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, extra + 1))) goto oom;
        break;
    }
    *out = buf;
    *n = len;
    return S_OK;

oom:
    return sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory for a text of %u characters", method, chars);
}
