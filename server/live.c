/*
 * SharedRegion server: the live-data members (the contract's "Live data"), written once for regions,
 * views and snapshots like the other data members (members.h): records read by field name
 * (ReadRecord, ReadRecords: fieldnames.c parses the names, record.c is the object), guarded snapshots
 * (Snapshot: snapshot.c takes them) and change waits (WaitChange). data.c holds the other members;
 * what they share (offset checks, scratch buffers, format arguments) is in private.h.
 */
#include <wchar.h>
#include "private.h"

/* ---- records: a struct's fields by name (fieldnames.c, record.c) ---- */

/* A record of Unpack's values (flat, format order), grouped by the named fields. */
static HRESULT make_record(const WCHAR *method, REFIID iid, const struct sr_fieldnames *names, VARIANT *flat,
                           ISharedRecord **out)
{
    BSTR *field_names = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, names->count * sizeof(BSTR) + 1);
    VARIANT *values = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, names->count * sizeof(VARIANT) + 1);
    VARIANT *items = NULL;
    HRESULT hr = S_OK;
    ULONG i, k;

    *out = NULL;
    if (!field_names || !values || FAILED(SafeArrayAccessData(V_ARRAY(flat), (void **)&items)))
    {
        hr = E_OUTOFMEMORY;
        goto done;
    }
    for (i = 0; i < names->count && SUCCEEDED(hr); i++)
    {
        const struct sr_field *fld = &names->field[i];
        if (!(field_names[i] = SysAllocString(fld->name))) hr = E_OUTOFMEMORY;
        else if (!fld->array) hr = VariantCopy(&values[i], &items[fld->first]);
        else
        {
            SAFEARRAY *sa = SafeArrayCreateVector(VT_VARIANT, 0, (ULONG)fld->values);
            VARIANT *elem;
            if (!sa) hr = E_OUTOFMEMORY;
            else
            {
                SafeArrayAccessData(sa, (void **)&elem);
                /* Moved, not copied: the flat list is thrown away after this. */
                for (k = 0; k < fld->values; k++)
                {
                    elem[k] = items[fld->first + k];
                    V_VT(&items[fld->first + k]) = VT_EMPTY;
                }
                SafeArrayUnaccessData(sa);
                V_VT(&values[i]) = VT_ARRAY | VT_VARIANT;
                V_ARRAY(&values[i]) = sa;
            }
        }
    }
    SafeArrayUnaccessData(V_ARRAY(flat));
    if (SUCCEEDED(hr))
    {
        hr = record_create(names->count, field_names, values, out); /* takes both arrays, even on failure */
        field_names = NULL;
        values = NULL;
    }
done:
    if (field_names || values)
    {
        for (i = 0; i < names->count; i++)
        {
            if (field_names) SysFreeString(field_names[i]);
            if (values) VariantClear(&values[i]);
        }
        HeapFree(GetProcessHeap(), 0, field_names);
        HeapFree(GetProcessHeap(), 0, values);
    }
    return FAILED(hr) ? sr_error(hr, iid, L"%ls: out of memory for the record", method) : S_OK;
}

/* The format of a record: parsed with its names, every field but padding named. */
static HRESULT record_format(struct sr_span *s, const WCHAR *method, BSTR format, struct sr_fieldnames **names,
                             struct sr_format **f)
{
    HRESULT hr;

    *f = NULL;
    if (FAILED(hr = arg_no_nul(method, L"format", format, span_iid(s)))) return hr;
    if (FAILED(hr = fieldnames_parse(method, span_iid(s), format_text(format), TRUE, names))) return hr;
    if (!(*names)->named)
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: format '%.100ls' names no field; write name:code, as gas:f or "
                      L"wheelSlip:4f", method, format_text(format));
    else hr = format_parse(method, span_iid(s), format_text(format), f);
    if (FAILED(hr))
    {
        fieldnames_free(*names);
        *names = NULL;
    }
    return hr;
}

HRESULT data_read_record(struct sr_span *s, double offset, BSTR format, VARIANT encoding, ISharedRecord **record)
{
    static const WCHAR method[] = L"ReadRecord";
    struct scratch sc = { NULL };
    struct sr_fieldnames *names = NULL;
    struct sr_format *f = NULL;
    struct sr_encoding enc;
    VARIANT flat;
    ULONGLONG off;
    SIZE_T size;
    HRESULT hr;

    CHECK_RESULT(method, record);
    *record = NULL;
    VariantInit(&flat);
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = record_format(s, method, format, &names, &f))) return hr;
    if (FAILED(hr = text_parse_encoding(method, span_iid(s), &encoding, &enc))) goto done;
    size = format_size(f);
    if (FAILED(hr = span_check(s, method, off, size))) goto done;
    if (!scratch_get(&sc, size ? size : 1))
    {
        hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory for %Iu bytes", method, size);
        goto done;
    }
    /* One copy of the whole struct, as Unpack makes. */
    if (FAILED(hr = span_io(s, method, SPAN_READ, off, size, sc.p, 0))) goto done;
    if (FAILED(hr = format_unpack(method, span_iid(s), f, sc.p, &enc, &flat))) goto done;
    hr = make_record(method, span_iid(s), names, &flat, record);

done:
    VariantClear(&flat);
    scratch_free(&sc);
    if (f) format_release(f);
    fieldnames_free(names);
    return hr;
}

HRESULT data_read_records(struct sr_span *s, double offset, double count, double stride, BSTR format,
                          VARIANT encoding, VARIANT *records)
{
    static const WCHAR method[] = L"ReadRecords";
    struct scratch sc = { NULL };
    struct sr_fieldnames *names = NULL;
    struct sr_format *f = NULL;
    struct sr_encoding enc;
    SAFEARRAY *sa = NULL;
    VARIANT *items = NULL;
    ULONGLONG off, n, step, span;
    SIZE_T size;
    ULONG i;
    HRESULT hr;

    CHECK_RESULT(method, records);
    VariantInit(records);
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = arg_number(method, L"count", count, span_iid(s), &n))) return hr;
    if (FAILED(hr = arg_number(method, L"stride", stride, span_iid(s), &step))) return hr;
    if (FAILED(hr = record_format(s, method, format, &names, &f))) return hr;
    if (FAILED(hr = text_parse_encoding(method, span_iid(s), &encoding, &enc))) goto done;
    size = format_size(f);
    if (!step) step = size;
    if (step < size)
    {
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: stride %I64u is smaller than the record (%Iu bytes): records "
                      L"would overlap", method, step, size);
        goto done;
    }
    /* One Variant() of records: its VARIANTs stay under 2^31 bytes. */
    if (n > SR_MAX_COUNT / sizeof(VARIANT))
    {
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: count %I64u is more records than one call returns (%I64u)",
                      method, n, (ULONGLONG)(SR_MAX_COUNT / sizeof(VARIANT)));
        goto done;
    }
    /* The whole span, bounds-checked before anything is read. */
    span = n ? (n - 1) * step + size : 0;
    if (n && (n - 1 > (ULONGLONG)SR_MAX_EXACT / step || span > (ULONGLONG)SR_MAX_EXACT))
    {
        hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: count %I64u records %I64u bytes apart reach past 2^53 bytes",
                      method, n, step);
        goto done;
    }
    if (FAILED(hr = span_check(s, method, off, span))) goto done;
    if (!scratch_get(&sc, size ? size : 1) || !(sa = SafeArrayCreateVector(VT_VARIANT, 0, (ULONG)n)))
    {
        hr = sr_error(E_OUTOFMEMORY, span_iid(s), L"%ls: out of memory for %I64u records", method, n);
        goto done;
    }
    SafeArrayAccessData(sa, (void **)&items);
    for (i = 0; i < n && SUCCEEDED(hr); i++)
    {
        VARIANT flat;
        ISharedRecord *rec = NULL;
        VariantInit(&flat);
        if (SUCCEEDED(hr = span_io(s, method, SPAN_READ, off + i * step, size, sc.p, 0))
            && SUCCEEDED(hr = format_unpack(method, span_iid(s), f, sc.p, &enc, &flat))
            && SUCCEEDED(hr = make_record(method, span_iid(s), names, &flat, &rec)))
        {
            V_VT(&items[i]) = VT_DISPATCH;
            V_DISPATCH(&items[i]) = (IDispatch *)rec;
        }
        VariantClear(&flat);
    }
    SafeArrayUnaccessData(sa);
    if (SUCCEEDED(hr))
    {
        V_VT(records) = VT_ARRAY | VT_VARIANT;
        V_ARRAY(records) = sa;
        sa = NULL;
    }

done:
    if (sa) SafeArrayDestroy(sa);
    scratch_free(&sc);
    if (f) format_release(f);
    fieldnames_free(names);
    return hr;
}

/* ---- live data: guarded snapshots (snapshot.c takes them) and change waits ---- */

static HRESULT check_timeout(struct sr_span *s, const WCHAR *method, LONG timeout)
{
    if (timeout < -1)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: timeoutMs %ld is negative (use -1 to wait forever)",
                        method, timeout);
    return S_OK;
}

HRESULT data_snapshot(struct sr_span *s, double offset, double count, VARIANT guard, LONG timeout, ISharedSnapshot **copy)
{
    static const WCHAR method[] = L"Snapshot";
    const VARIANT *g = arg_deref(&guard);
    BSTR text = NULL, owned = NULL;
    ULONGLONG off, n;
    HRESULT hr;

    CHECK_RESULT(method, copy);
    *copy = NULL;
    CHECK_OFFSET(method, offset, &off);
    if (!plain_offset(count, &n) && FAILED(hr = arg_number(method, L"count", count, span_iid(s), &n))) return hr;
    if (n > SR_MAX_COUNT)
        return sr_error(E_INVALIDARG, span_iid(s), L"%ls: count %I64u is more than one snapshot can hold (%I64u bytes)",
                        method, n, SR_MAX_COUNT);
    if (FAILED(hr = check_timeout(s, method, timeout))) return hr;
    /* A String guard is read where it is: converting it would copy it, which costs a snapshot of a
     * few KiB as much as its copy does. Anything else is converted as any optional string is. */
    if (g && V_VT(g) == VT_BSTR) text = V_BSTR(g);
    else if (FAILED(hr = arg_opt_string(method, L"guard", &guard, span_iid(s), &owned))) return hr;
    else text = owned;
    hr = snapshot_take(s, off, n, text, timeout == -1 ? INFINITE : (DWORD)timeout, copy);
    SysFreeString(owned);
    return hr;
}

/* WaitChange reads the number with one guarded copy under the span's lock (span_io), at any offset,
 * not with an atomic load: a read that tears because a write is in progress can only differ from
 * `previous` when bytes of the number have changed, which is the change it waits for. */
HRESULT data_wait_change(struct sr_span *s, double offset, LONG timeout, VARIANT type, VARIANT previous,
                         VARIANT_BOOL *changed)
{
    static const WCHAR method[] = L"WaitChange";
    BYTE was[8], now[8];
    ULONGLONG off, start;
    struct sr_pacer pacer;
    enum sr_type t = SR_UINT32;
    SIZE_T size;
    HRESULT hr;

    CHECK_RESULT(method, changed);
    *changed = VARIANT_FALSE;
    CHECK_OFFSET(method, offset, &off);
    if (FAILED(hr = check_timeout(s, method, timeout))) return hr;
    if (FAILED(hr = check_ref(s, method, L"type", &type)) || FAILED(hr = check_ref(s, method, L"previous", &previous)))
        return hr;
    if (!arg_missing(arg_deref(&type)) && FAILED(hr = value_parse_type(method, span_iid(s), &type, &t))) return hr;
    size = value_type_size(t);
    /* previous is encoded as the type stores it (range-checked as a write would be), then compared bit for bit. */
    if (!arg_missing(arg_deref(&previous)))
    {
        if (FAILED(hr = value_encode(method, L"previous", span_iid(s), t, &previous, was))) return hr;
        if (FAILED(hr = span_check(s, method, off, size))) return hr;
    }
    else if (FAILED(hr = span_io(s, method, SPAN_READ, off, size, was, 0))) return hr;

    pacer_init(&pacer);
    start = GetTickCount64();
    for (;;)
    {
        if (FAILED(hr = span_io(s, method, SPAN_READ, off, size, now, 0))) break;
        if (memcmp(now, was, size))
        {
            *changed = VARIANT_TRUE;
            break;
        }
        if (timeout != -1 && GetTickCount64() - start >= (ULONGLONG)timeout) break;
        if (timeout == -1 && s->kind == SPAN_SNAPSHOT)
        {
            hr = sr_error(E_INVALIDARG, span_iid(s), L"%ls: a snapshot never changes, so waiting for ever for the "
                          L"number at offset %I64u to change would never end; give a timeout", method, off);
            break;
        }
        pacer_wait(&pacer);
    }
    pacer_done(&pacer);
    TRACE("WaitChange(%I64u, %ld) -> %#lx, %d", off, timeout, hr, *changed);
    return hr;
}
