/*
 * SharedRegion server: named fields, a thin layer over the struct format language (structfmt.c).
 *
 * A field may carry a name: "gas:f" or "wheelSlip:4f" (name, colon, then the code with its count),
 * and, as the contract's own example writes it, the other way round: "f:gas", "4f:wheelSlip". A named
 * field is one whitespace-separated word. When both halves of a word could be either a name or a code
 * ("f:d"), the first half is the name. Names are letters, digits and _, not starting with a digit, at
 * most 63 characters, unique within the format without case; padding (x) takes no name.
 *
 * Unpack, Pack and CalcSize ignore the names: format_parse parses the format with its names taken
 * out. ReadRecord and ReadRecords (data.c) need a name on every field but padding, and group Unpack's
 * values by field: a named field with a count of numbers ("4f") is one field holding an array of its
 * count, even a count of 1; s, p and w fields are one String whatever their count.
 */
#include <stddef.h>
#include <wchar.h>
#include "private.h"

#define NAME_MAX_LEN 63

static BOOL is_space(WCHAR c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static BOOL is_code(WCHAR c)
{
    return c && c < 128 && strchr("xcbB?hHiIlLqQnNefdspPw", (char)c);
}

/* [count]code, with nothing else: the code, and the count (*counted: one was written). */
static BOOL is_item(const WCHAR *s, size_t len, WCHAR *code, ULONGLONG *count, BOOL *counted)
{
    size_t i = 0;

    *count = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
    {
        if (*count > 0x7fffffffULL) return FALSE;
        *count = *count * 10 + (s[i] - '0');
        i++;
    }
    if (i + 1 != len || !is_code(s[i])) return FALSE;
    *counted = i > 0;
    if (!*counted) *count = 1;
    *code = s[i];
    return TRUE;
}

static BOOL is_name(const WCHAR *s, size_t len)
{
    size_t i;

    if (!len || len > NAME_MAX_LEN || (s[0] >= '0' && s[0] <= '9')) return FALSE;
    for (i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')
              || s[i] == '_'))
            return FALSE;
    return TRUE;
}

/* How many of Unpack's values an item gives. */
static ULONGLONG item_values(WCHAR code, ULONGLONG count)
{
    if (code == 'x') return 0;
    if (code == 's' || code == 'p' || code == 'w') return 1;
    return count;
}

void fieldnames_free(struct sr_fieldnames *names)
{
    ULONG i;

    if (!names) return;
    for (i = 0; i < names->count; i++) HeapFree(GetProcessHeap(), 0, names->field[i].name);
    HeapFree(GetProcessHeap(), 0, names->plain);
    HeapFree(GetProcessHeap(), 0, names);
}

HRESULT fieldnames_parse(const WCHAR *method, REFIID iid, const WCHAR *format, BOOL need_names,
                         struct sr_fieldnames **out)
{
    struct sr_fieldnames *names = NULL;
    size_t len = format ? wcslen(format) : 0, pos = 0, plain = 0, words = 0, i;
    ULONGLONG value = 0;    /* the place in Unpack's values of the next item */
    HRESULT hr = S_OK;

    *out = NULL;
    /* The struct parser's own cap, checked here first: the allocation below is sized by the format. */
    if (len > SR_MAX_FORMAT)
        return sr_error(E_INVALIDARG, iid, L"%ls: the format is %Iu characters long, more than a format may have (%u)",
                        method, len, SR_MAX_FORMAT);
    for (i = 0; i < len; i++) if (!is_space(format[i]) && (!i || is_space(format[i - 1]))) words++;
    if (!(names = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, offsetof(struct sr_fieldnames, field[words + 1])))
        || !(names->plain = HeapAlloc(GetProcessHeap(), 0, (len + 1) * sizeof(WCHAR))))
    {
        hr = sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory", method);
        goto done;
    }
    if (pos < len && wcschr(L"@=<>!", format[pos])) names->plain[plain++] = format[pos++];
    while (pos < len)
    {
        size_t start, end, colon;
        const WCHAR *w;
        WCHAR code = 0;
        ULONGLONG count = 1;
        BOOL counted = FALSE;

        while (pos < len && is_space(format[pos])) pos++;
        if (pos == len) break;
        for (start = pos; pos < len && !is_space(format[pos]); pos++) ;
        end = pos;
        w = format + start;
        for (colon = start; colon < end && format[colon] != ':'; colon++) ;
        if (colon == end)
        {
            /* A word without a name: as it is, item after item (Python allows "2xhh"). */
            size_t k = start;
            while (k < end)
            {
                size_t item_start = k;
                while (k < end && format[k] >= '0' && format[k] <= '9') k++;
                if (k < end) k++;
                if (is_item(format + item_start, k - item_start, &code, &count, &counted))
                {
                    if (need_names && code != 'x')
                    {
                        hr = sr_error(E_INVALIDARG, iid, L"%ls: field '%.*ls' has no name; %ls needs a name on every "
                                      L"field but x padding (name:code, as gas:f or wheelSlip:4f)", method,
                                      (int)(k - item_start), format + item_start, method);
                        goto done;
                    }
                    value += item_values(code, count);
                }
                /* Anything else is for the struct parser to refuse, in its own words. */
            }
            if (plain) names->plain[plain++] = ' ';
            memcpy(names->plain + plain, w, (end - start) * sizeof(WCHAR));
            plain += end - start;
            continue;
        }
        {
            const WCHAR *a = w, *b = format + colon + 1, *name, *item;
            size_t alen = colon - start, blen = end - colon - 1, nlen, ilen;
            WCHAR c2;
            ULONGLONG n2;
            BOOL k2;
            struct sr_field *fld;
            ULONG f;

            if (is_name(a, alen) && is_item(b, blen, &code, &count, &counted))
                name = a, nlen = alen, item = b, ilen = blen;
            else if (is_item(a, alen, &c2, &n2, &k2) && is_name(b, blen))
                name = b, nlen = blen, item = a, ilen = alen, code = c2, count = n2, counted = k2;
            else
            {
                hr = sr_error(E_INVALIDARG, iid, L"%ls: '%.*ls' is not a named field: write name:code, as gas:f or "
                              L"wheelSlip:4f (a name of letters, digits and _, not starting with a digit, at most %d "
                              L"characters; the code with its count), one field to a word", method,
                              (int)(end - start), w, NAME_MAX_LEN);
                goto done;
            }
            if (code == 'x')
            {
                hr = sr_error(E_INVALIDARG, iid, L"%ls: '%.*ls' names padding, which has no value; write the x "
                              L"without a name", method, (int)(end - start), w);
                goto done;
            }
            for (f = 0; f < names->count; f++)
                if ((size_t)wcslen(names->field[f].name) == nlen && !_wcsnicmp(names->field[f].name, name, nlen))
                {
                    hr = sr_error(E_INVALIDARG, iid, L"%ls: the name '%.*ls' is given twice (names compare without "
                                  L"case)", method, (int)nlen, name);
                    goto done;
                }
            fld = &names->field[names->count];
            if (!(fld->name = HeapAlloc(GetProcessHeap(), 0, (nlen + 1) * sizeof(WCHAR))))
            {
                hr = sr_error(E_OUTOFMEMORY, iid, L"%ls: out of memory", method);
                goto done;
            }
            memcpy(fld->name, name, nlen * sizeof(WCHAR));
            fld->name[nlen] = 0;
            names->count++;
            fld->first = value;
            fld->values = item_values(code, count);
            fld->array = counted && code != 's' && code != 'p' && code != 'w';
            value += fld->values;
            if (plain) names->plain[plain++] = ' ';
            memcpy(names->plain + plain, item, ilen * sizeof(WCHAR));
            plain += ilen;
        }
    }
    names->plain[plain] = 0;
    names->named = names->count > 0;

done:
    if (FAILED(hr))
    {
        fieldnames_free(names);
        return hr;
    }
    *out = names;
    return S_OK;
}
