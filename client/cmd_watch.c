/*
 * srclient: watch, a logger for people who debug or record what a program publishes.
 *
 *   srclient watch NAME FORMAT [--offset N] [--guard G] [--every DURATION | --change OFFSET[:TYPE] |
 *                  --signal] [--count N] [--duration D] [--csv FILE | --jsonl FILE] [--encoding E]
 *                  [--lock-name NAME] [--signal-name NAME] [--stale DURATION]
 *
 *     Opens the region NAME read-only and writes one row per frame: a time column (UTC, ISO 8601,
 *     milliseconds), then one column per field in format order. A named format ("<I packetId:I
 *     gas:f wheelSlip:4f") gives the fields' names (wheelSlip[0] ... wheelSlip[3] for an array), an
 *     unnamed one f0, f1, ... Rows go to stdout as CSV, or to --csv FILE (with a header row) or
 *     --jsonl FILE (one JSON object a line).
 *
 *     When a frame is taken: every --every DURATION (default 100ms); or when the number at --change
 *     OFFSET (of TYPE, default UInt32) changes (WaitChange); or when the region is signalled
 *     (--signal: WaitSignal; --signal-name adopts the publisher's own event).
 *     How it is copied: --guard G takes each frame as one Snapshot under the publisher's protocol
 *     ("lock", "seq:OFF", "pair:BEGIN,END", "tick:OFF"; --lock-name adopts the publisher's own mutex
 *     for "lock"), so no row mixes two writes; without a guard each frame is one plain copy.
 *
 *     It ends after --count N frames, after --duration D, or on Ctrl+C, with the file complete.
 *     While stderr is a console it shows a progress line (frames, torn copies retried, frames per
 *     second) at most four times a second. A frame that has not changed for --stale DURATION
 *     (default 2s) is said on stderr once: the region outlives a publisher that has exited.
 */
#include "srclient.h"

/* ---- what a frame is made of ---- */

struct watch
{
    ISharedRegion *r;
    BSTR format;
    VARIANT enc, guard;
    BOOL named;
    ULONGLONG off;
    LONG size;
    FILE *file;              /* NULL: CSV to stdout */
    BOOL jsonl;
    BOOL header_done;
    ULONGLONG frames, retries, torn;
    BYTE *last;              /* the previous frame's bytes, to see a stale publisher */
    BYTE *now;
};

/* The frame's values: a record (named formats) or Unpack's Variant() (unnamed ones). */
struct frame
{
    ISharedRecord *rec;
    VARIANT values;
};

static void frame_clear(struct frame *f)
{
    if (f->rec) ISharedRecord_Release(f->rec);
    f->rec = NULL;
    VariantClear(&f->values);
}

/* One frame, as one copy: a Snapshot under the guard, or the region's own Unpack/ReadRecord. */
static HRESULT take_frame(struct watch *w, struct frame *f, const WCHAR **what)
{
    ISharedSnapshot *snap = NULL;
    ISharedData *src = (ISharedData *)w->r;
    double off = (double)w->off;
    LONG retries = 0;
    HRESULT hr;

    VariantInit(&f->values);
    f->rec = NULL;
    if (V_VT(&w->guard) != VT_ERROR)
    {
        *what = L"Snapshot";
        if (FAILED(hr = ISharedRegion_Snapshot(w->r, off, w->size, w->guard, 1000, &snap))) return hr;
        if (SUCCEEDED(ISharedSnapshot_get_Retries(snap, &retries))) w->retries += (ULONGLONG)retries;
        src = (ISharedData *)snap;
        off = 0;
    }
    *what = w->named ? L"ReadRecord" : L"Unpack";
    hr = w->named ? ISharedData_ReadRecord(src, off, w->format, w->enc, &f->rec)
                  : ISharedData_Unpack(src, off, w->format, w->enc, &f->values);
    /* The bytes too, to tell a frame that has not changed. */
    if (SUCCEEDED(hr) && w->now)
    {
        VARIANT b;
        VariantInit(&b);
        if (SUCCEEDED(ISharedData_ReadBytes(src, off, w->size, &b)) && V_VT(&b) == (VT_ARRAY | VT_UI1))
        {
            void *p;
            if (SUCCEEDED(SafeArrayAccessData(V_ARRAY(&b), &p)))
            {
                memcpy(w->now, p, w->size);
                SafeArrayUnaccessData(V_ARRAY(&b));
            }
        }
        VariantClear(&b);
    }
    if (snap) ISharedSnapshot_Release(snap);
    return hr;
}

/* ---- rows ---- */

static void put(struct watch *w, const WCHAR *fmt, ...)
{
    WCHAR buf[8192];
    va_list ap;

    va_start(ap, fmt);
    __mingw_vsnwprintf(buf, ARRAY_SIZE(buf), fmt, ap);
    va_end(ap);
    buf[ARRAY_SIZE(buf) - 1] = 0;
    if (!w->file)
    {
        out(L"%ls", buf);
        return;
    }
    {
        char utf8[ARRAY_SIZE(buf) * 3];
        int n = WideCharToMultiByte(CP_UTF8, 0, buf, -1, utf8, sizeof(utf8), NULL, NULL);
        if (n > 1) fwrite(utf8, 1, n - 1, w->file);
    }
}

/* A CSV cell: quoted when it holds a comma, a quote or a line break (quotes doubled). */
static void put_csv_cell(struct watch *w, const WCHAR *text, BOOL first)
{
    WCHAR cell[4096];
    size_t i, n = 0;

    if (wcspbrk(text, L",\"\r\n"))
    {
        cell[n++] = '"';
        for (i = 0; text[i] && n + 3 < ARRAY_SIZE(cell); i++)
        {
            if (text[i] == '"') cell[n++] = '"';
            cell[n++] = text[i];
        }
        cell[n++] = '"';
        cell[n] = 0;
        text = cell;
    }
    put(w, L"%ls%ls", first ? L"" : L",", text);
}

/* A value as CSV text: numbers as scripts see them, strings as they are. */
static void cell_text(const VARIANT *v, WCHAR *buf, size_t len)
{
    if (V_VT(v) == VT_BSTR) __mingw_snwprintf(buf, len, L"%ls", V_BSTR(v) ? V_BSTR(v) : L"");
    else format_value(v, buf, len);
}

/* Each column of a frame, in format order: calls out(name, value) for every scalar. */
typedef void (*column_fn)(struct watch *w, const WCHAR *name, const VARIANT *value, BOOL first);

static void each_column(struct watch *w, struct frame *f, column_fn fn)
{
    VARIANT *items;
    WCHAR name[128];
    LONG i, k, n;
    BOOL first = TRUE;

    if (!f->rec)
    {
        n = V_ARRAY(&f->values)->rgsabound[0].cElements;
        SafeArrayAccessData(V_ARRAY(&f->values), (void **)&items);
        for (i = 0; i < n; i++, first = FALSE)
        {
            __mingw_snwprintf(name, ARRAY_SIZE(name), L"f%ld", i);
            fn(w, name, &items[i], first);
        }
        SafeArrayUnaccessData(V_ARRAY(&f->values));
        return;
    }
    {
        VARIANT names, *nm, value;
        ISharedRecord_get_Names(f->rec, &names);
        n = V_ARRAY(&names)->rgsabound[0].cElements;
        SafeArrayAccessData(V_ARRAY(&names), (void **)&nm);
        for (i = 0; i < n; i++)
        {
            VariantInit(&value);
            ISharedRecord_get_Item(f->rec, nm[i], &value);
            if (V_VT(&value) == (VT_ARRAY | VT_VARIANT))
            {
                LONG m = V_ARRAY(&value)->rgsabound[0].cElements;
                SafeArrayAccessData(V_ARRAY(&value), (void **)&items);
                for (k = 0; k < m; k++, first = FALSE)
                {
                    __mingw_snwprintf(name, ARRAY_SIZE(name), L"%ls[%ld]", V_BSTR(&nm[i]), k);
                    fn(w, name, &items[k], first);
                }
                SafeArrayUnaccessData(V_ARRAY(&value));
            }
            else
            {
                fn(w, V_BSTR(&nm[i]), &value, first);
                first = FALSE;
            }
            VariantClear(&value);
        }
        SafeArrayUnaccessData(V_ARRAY(&names));
        VariantClear(&names);
    }
}

static void header_cell(struct watch *w, const WCHAR *name, const VARIANT *value, BOOL first)
{
    (void)value; (void)first;
    put_csv_cell(w, name, FALSE);
}

static void csv_cell(struct watch *w, const WCHAR *name, const VARIANT *value, BOOL first)
{
    WCHAR text[4096];
    (void)name; (void)first;
    cell_text(value, text, ARRAY_SIZE(text));
    put_csv_cell(w, text, FALSE);
}

/* JSON Lines: the record's own ToJson where there is one, with the time put first. */
static void json_cell(struct watch *w, const WCHAR *name, const VARIANT *value, BOOL first)
{
    WCHAR text[4096];
    (void)first;
    format_value(value, text, ARRAY_SIZE(text));
    if (V_VT(value) == VT_BSTR)
    {
        WCHAR esc[8192];
        size_t i, n = 0;
        const WCHAR *s = V_BSTR(value) ? V_BSTR(value) : L"";
        esc[n++] = '"';
        for (i = 0; s[i] && n + 8 < ARRAY_SIZE(esc); i++)
        {
            if (s[i] == '"' || s[i] == '\\') { esc[n++] = '\\'; esc[n++] = s[i]; }
            else if (s[i] < 0x20) n += __mingw_snwprintf(esc + n, ARRAY_SIZE(esc) - n, L"\\u%04x", s[i]);
            else esc[n++] = s[i];
        }
        esc[n++] = '"';
        esc[n] = 0;
        put(w, L",\"%ls\":%ls", name, esc);
    }
    else if (V_VT(value) == VT_BOOL) put(w, L",\"%ls\":%ls", name, V_BOOL(value) ? L"true" : L"false");
    else put(w, L",\"%ls\":%ls", name, text);
}

static void write_row(struct watch *w, struct frame *f)
{
    SYSTEMTIME t;
    WCHAR when[40];

    GetSystemTime(&t);
    __mingw_snwprintf(when, ARRAY_SIZE(when), L"%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", t.wYear, t.wMonth, t.wDay,
                      t.wHour, t.wMinute, t.wSecond, t.wMilliseconds);
    if (w->jsonl)
    {
        BSTR json = NULL;
        put(w, L"{\"time\":\"%ls\"", when);
        if (f->rec && SUCCEEDED(ISharedRecord_ToJson(f->rec, &json)) && json && json[0] == '{')
            put(w, L"%ls%ls\n", json[1] == '}' ? L"" : L",", json + 1);
        else
        {
            each_column(w, f, json_cell);
            put(w, L"}\n");
        }
        SysFreeString(json);
        return;
    }
    if (!w->header_done)
    {
        put(w, L"time");
        each_column(w, f, header_cell);
        put(w, L"\n");
        w->header_done = TRUE;
    }
    put(w, L"%ls", when);
    each_column(w, f, csv_cell);
    put(w, L"\n");
}

/* ---- the loop ---- */

static HANDLE stop_event;

static BOOL WINAPI on_console_stop(DWORD type)
{
    (void)type;
    SetEvent(stop_event);
    return TRUE;
}

static BOOL stopped(void)
{
    return WaitForSingleObject(stop_event, 0) == WAIT_OBJECT_0;
}

/* Wait for the next frame's moment; FALSE when stopped. */
static BOOL wait_next(struct args *a, struct watch *w, LONG every, ULONGLONG change_off, VARIANT *change_type,
                      HRESULT *hr)
{
    VARIANT_BOOL yes = VARIANT_FALSE;

    *hr = S_OK;
    if (has(a, L"change"))
    {
        VARIANT prev, *items;
        /* The value now; then wait, a quarter second at a time, until it differs. */
        VariantInit(&prev);
        if (FAILED(*hr = ISharedRegion_ReadArray(w->r, (double)change_off, 1, *change_type, &prev))) return FALSE;
        SafeArrayAccessData(V_ARRAY(&prev), (void **)&items);
        while (!stopped())
        {
            if (FAILED(*hr = ISharedRegion_WaitChange(w->r, (double)change_off, 250, *change_type, items[0], &yes)))
                break;
            if (yes) break;
        }
        SafeArrayUnaccessData(V_ARRAY(&prev));
        VariantClear(&prev);
        return SUCCEEDED(*hr) && yes;
    }
    if (has(a, L"signal"))
    {
        while (!stopped())
        {
            if (FAILED(*hr = ISharedRegion_WaitSignal(w->r, 250, &yes))) return FALSE;
            if (yes) return TRUE;
        }
        return FALSE;
    }
    return WaitForSingleObject(stop_event, (DWORD)every) != WAIT_OBJECT_0;
}

static BOOL stderr_is_console(void)
{
    DWORD mode;
    return GetConsoleMode(GetStdHandle(STD_ERROR_HANDLE), &mode);
}

int cmd_watch(struct args *a)
{
    struct watch w;
    struct frame f;
    VARIANT change_type;
    ULONGLONG count = 0, change_off = 0;
    LONG every = 100, duration = -1, stale = 2000;
    ULONGLONG start, last_progress = 0, last_change;
    BOOL console = stderr_is_console(), stale_said = FALSE;
    const WCHAR *what = L"Snapshot";
    HRESULT hr = S_OK;
    BSTR b;
    int rc, modes = has(a, L"every") + has(a, L"change") + has(a, L"signal");

    memset(&w, 0, sizeof(w));
    VariantInit(&change_type);
    w.enc = v_missing();
    w.guard = v_missing();
    if ((rc = offset_opt(a, &w.off))) return rc;
    if ((rc = arg_duration(a, L"every", 100, &every))) return rc;
    if ((rc = arg_duration(a, L"duration", -1, &duration))) return rc;
    if ((rc = arg_duration(a, L"stale", 2000, &stale))) return rc;
    if ((rc = arg_size(a, L"count", 0, &count))) return rc;
    if (modes > 1) return usage_error(a, L"give one of --every, --change and --signal");
    if (has(a, L"csv") && has(a, L"jsonl")) return usage_error(a, L"give --csv or --jsonl, not both");
    if (has(a, L"every") && every <= 0) return bad_arg(a, L"--every needs a duration of at least 1ms");
    if (has(a, L"count") && !count) return bad_arg(a, L"--count must be at least 1");
    if (has(a, L"change"))
    {
        const WCHAR *spec = get(a, L"change"), *colon = wcschr(spec, ':');
        WCHAR num[64];
        size_t n = colon ? (size_t)(colon - spec) : wcslen(spec);
        if (n >= ARRAY_SIZE(num)) return bad_arg(a, L"--change '%ls' is not OFFSET[:TYPE]", spec);
        memcpy(num, spec, n * sizeof(WCHAR));
        num[n] = 0;
        if (!parse_size(num, &change_off)) return bad_arg(a, L"--change '%ls': the offset is not a number", spec);
        change_type = v_str(colon ? colon + 1 : L"UInt32");
    }
    w.named = wcschr(a->pos[1], ':') != NULL;
    if ((rc = open_named(a, a->pos[0], 1, &w.r))) goto done;
    if (!(w.format = SysAllocString(a->pos[1]))) { rc = RC_FAIL; goto done; }
    if (has(a, L"encoding")) w.enc = v_str(get(a, L"encoding"));
    if (has(a, L"guard")) w.guard = v_str(get(a, L"guard"));
    if (has(a, L"lock-name"))
    {
        b = SysAllocString(get(a, L"lock-name"));
        hr = ISharedRegion_put_LockName(w.r, b);
        SysFreeString(b);
        if (FAILED(hr)) { rc = REGION_FAIL(a, hr, w.r, L"LockName"); goto done; }
    }
    if (has(a, L"signal-name"))
    {
        b = SysAllocString(get(a, L"signal-name"));
        hr = ISharedRegion_put_SignalName(w.r, b);
        SysFreeString(b);
        if (FAILED(hr)) { rc = REGION_FAIL(a, hr, w.r, L"SignalName"); goto done; }
    }
    if (FAILED(hr = ISharedRegion_CalcSize(w.r, w.format, &w.size))) { rc = REGION_FAIL(a, hr, w.r, L"CalcSize"); goto done; }
    if (w.size > 0)
    {
        w.last = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, w.size);
        w.now = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, w.size);
    }
    if (has(a, L"csv") || has(a, L"jsonl"))
    {
        const WCHAR *path = has(a, L"csv") ? get(a, L"csv") : get(a, L"jsonl");
        w.jsonl = has(a, L"jsonl");
        if (!(w.file = _wfopen(path, L"wb")))
        {
            err(L"srclient watch: cannot write '%ls'\n", path);
            rc = RC_FAIL;
            goto done;
        }
    }
    stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    SetConsoleCtrlHandler(on_console_stop, TRUE);
    start = last_change = GetTickCount64();

    for (;;)
    {
        /* --every takes its first frame at once; --change and --signal wait for theirs. */
        BOOL go = (!w.frames && !w.torn && modes == has(a, L"every")) ? TRUE
                  : wait_next(a, &w, every, change_off, &change_type, &hr);
        ULONGLONG now = GetTickCount64();
        if (FAILED(hr)) { rc = REGION_FAIL(a, hr, w.r, has(a, L"change") ? L"WaitChange" : L"WaitSignal"); break; }
        if (duration >= 0 && now - start >= (ULONGLONG)duration) break;
        if (!go)
        {
            if (stopped()) break;
            continue;
        }
        hr = take_frame(&w, &f, &what);
        if (hr == SR_E_TORN)
        {
            /* The publisher kept writing for the whole timeout: no row, and it is counted. */
            w.torn++;
            frame_clear(&f);
            continue;
        }
        if (FAILED(hr))
        {
            rc = REGION_FAIL(a, hr, w.r, what);
            if (hr == SR_E_BADENCODING)
                err(L"hint: most publishers' text is ANSI: try --encoding ansi, or the publisher's code page as "
                    L"--encoding cpNNN (cp1252, cp932, ...)\n");
            frame_clear(&f);
            break;
        }
        write_row(&w, &f);
        frame_clear(&f);
        w.frames++;
        if (w.now && w.last)
        {
            if (w.frames == 1 || memcmp(w.now, w.last, w.size))
            {
                memcpy(w.last, w.now, w.size);
                last_change = now;
                if (stale_said) err(L"srclient watch: new frames again\n");
                stale_said = FALSE;
            }
            else if (!stale_said && now - last_change >= (ULONGLONG)stale)
            {
                err(L"%lssrclient watch: no new frame for %.1f s: the publisher may have stopped (the region outlives "
                    L"it)\n", console ? L"\n" : L"", (now - last_change) / 1000.0);
                stale_said = TRUE;
            }
        }
        if (console && now - last_progress >= 250)
        {
            double secs = (now - start) / 1000.0;
            err(L"\rframes %llu, torn copies retried %llu, %.1f frames/s   ", w.frames, w.retries,
                secs > 0 ? w.frames / secs : 0.0);
            last_progress = now;
        }
        if (count && w.frames >= count) break;
    }
    if (console) err(L"\n");
    if (w.torn) err(L"srclient watch: %llu frames kept changing past the guard's timeout (SR_E_TORN) and were left out\n",
                    w.torn);
    SetConsoleCtrlHandler(on_console_stop, FALSE);

done:
    if (w.file) fclose(w.file);
    if (stop_event) CloseHandle(stop_event);
    stop_event = NULL;
    HeapFree(GetProcessHeap(), 0, w.last);
    HeapFree(GetProcessHeap(), 0, w.now);
    VariantClear(&w.enc);
    VariantClear(&w.guard);
    VariantClear(&change_type);
    SysFreeString(w.format);
    if (w.r) ISharedRegion_Release(w.r);
    return rc;
}
