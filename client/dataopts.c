/*
 * The data options that create, write and lock share (TEXT, --text, --hex, --file, --int32 at
 * --offset, with --encoding and --no-nul for text), and writing them; and copies between a file
 * and a region, 1 MiB per call, with a progress line on stderr for files of 8 MiB or more (also
 * used by read --out and copy-file).
 */
#include "srclient.h"

int parse_payload(const struct args *a, const WCHAR *positional_text, struct payload *p)
{
    int sources = 0;
    WCHAR why[512];
    const WCHAR *e;

    memset(p, 0, sizeof(*p));
    if (positional_text) { p->kind = DATA_TEXT; p->text = positional_text; sources++; }
    if (has(a, L"text")) { p->kind = DATA_TEXT; p->text = get(a, L"text"); sources++; }
    if (has(a, L"hex"))
    {
        p->kind = DATA_HEX;
        sources++;
        if ((e = parse_hex(get(a, L"hex"), &p->bytes, &p->count, why, ARRAY_SIZE(why)))) return bad_arg(a, L"%ls", e);
    }
    if (has(a, L"file")) { p->kind = DATA_FILE; p->path = get(a, L"file"); sources++; }
    if (has(a, L"int32"))
    {
        const WCHAR *s = get(a, L"int32");
        WCHAR *end;
        long long v;
        p->kind = DATA_INT32;
        sources++;
        v = wcstoll(s, &end, 0);
        if (!*s || *end || v < -2147483648LL || v > 4294967295LL)
            return bad_arg(a, L"--int32 '%ls' is not a 32-bit integer", s);
        p->int32 = (LONG)(ULONG)v;
    }
    if (sources > 1) return usage_error(a, L"give one of TEXT, --text, --hex, --file, --int32");
    if ((has(a, L"encoding") || has(a, L"no-nul")) && p->kind != DATA_TEXT && p->kind != DATA_NONE)
        return usage_error(a, L"--encoding and --no-nul apply to text only");
    return RC_OK;
}

void free_payload(struct payload *p)
{
    HeapFree(GetProcessHeap(), 0, p->bytes);
    p->bytes = NULL;
}

/* Progress on stderr for long copies: rewritten in place, at most four times a second. */
struct progress
{
    BOOL on;
    ULONGLONG total;
    ULONGLONG last_tick;
    ULONGLONG start_tick;
};

static void progress_start(struct progress *pr, ULONGLONG total, BOOL quiet)
{
    pr->on = !quiet && total >= PROGRESS_MIN;
    pr->total = total;
    pr->start_tick = pr->last_tick = GetTickCount64();
}

static void progress_update(struct progress *pr, ULONGLONG done, BOOL final)
{
    WCHAR a[32], b[32];
    ULONGLONG now = GetTickCount64(), ms;
    double rate;

    if (!pr->on || (!final && now - pr->last_tick < 250)) return;
    pr->last_tick = now;
    ms = now - pr->start_tick;
    rate = ms ? (double)done / 1048576.0 * 1000.0 / (double)ms : 0;
    err(L"\r  %3u%%  %ls of %ls  %.1f MiB/s   %ls", (unsigned)(pr->total ? done * 100 / pr->total : 100),
        human_size(done, a, ARRAY_SIZE(a)), human_size(pr->total, b, ARRAY_SIZE(b)), rate, final ? L"\n" : L"");
}

/* Copy a file into the region at offset; *copied gets the byte count. */
int file_to_region(const struct args *a, ISharedRegion *r, const WCHAR *path, ULONGLONG offset,
                          BOOL quiet, ULONGLONG *copied)
{
    ULONGLONG size = region_size(r), done = 0;
    LARGE_INTEGER fsize;
    struct progress pr;
    BYTE *buf = NULL;
    HANDLE f;
    HRESULT hr;
    int rc = RC_OK;

    *copied = 0;
    f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE)
    {
        DWORD e = GetLastError();
        err(L"srclient %ls: cannot open '%ls' (error %lu)\n", a->cmd->name, path, e);
        return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? RC_NOTFOUND
             : e == ERROR_ACCESS_DENIED ? RC_DENIED : RC_FAIL;
    }
    GetFileSizeEx(f, &fsize);
    if (offset > size || (ULONGLONG)fsize.QuadPart > size - offset)
    {
        rc = bad_arg(a, L"'%ls' is %llu bytes; the region has %llu bytes from offset %llu", path,
                     (ULONGLONG)fsize.QuadPart, offset > size ? 0ULL : size - offset, offset);
        goto done;
    }
    if (!(buf = HeapAlloc(GetProcessHeap(), 0, CHUNK))) { rc = RC_FAIL; goto done; }
    progress_start(&pr, fsize.QuadPart, quiet);
    while (done < (ULONGLONG)fsize.QuadPart)
    {
        DWORD want = (DWORD)min(CHUNK, (ULONGLONG)fsize.QuadPart - done), got = 0;
        if (!ReadFile(f, buf, want, &got, NULL) || !got)
        {
            err(L"\nsrclient %ls: cannot read '%ls' at byte %llu (error %lu)\n", a->cmd->name, path, done,
                GetLastError());
            rc = RC_FAIL;
            goto done;
        }
        if (FAILED(hr = write_bytes(r, offset + done, buf, got)))
        {
            rc = REGION_FAIL(a, hr, r, L"WriteBytes");
            goto done;
        }
        done += got;
        progress_update(&pr, done, FALSE);
    }
    progress_update(&pr, done, TRUE);
    *copied = done;

done:
    HeapFree(GetProcessHeap(), 0, buf);
    CloseHandle(f);
    return rc;
}

/* Copy count bytes at offset out of the region into a file (created or replaced). */
int region_to_file(const struct args *a, ISharedRegion *r, ULONGLONG offset, ULONGLONG count,
                          const WCHAR *path, BOOL quiet)
{
    ULONGLONG done = 0;
    struct progress pr;
    BYTE *buf;
    HANDLE f;
    HRESULT hr;
    int rc = RC_OK;

    if (!(buf = HeapAlloc(GetProcessHeap(), 0, CHUNK))) return RC_FAIL;
    f = CreateFileW(path, GENERIC_WRITE, FILE_SHARE_READ, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
    {
        DWORD e = GetLastError();
        err(L"srclient %ls: cannot create '%ls' (error %lu)\n", a->cmd->name, path, e);
        HeapFree(GetProcessHeap(), 0, buf);
        return e == ERROR_PATH_NOT_FOUND ? RC_NOTFOUND : e == ERROR_ACCESS_DENIED ? RC_DENIED : RC_FAIL;
    }
    progress_start(&pr, count, quiet);
    while (done < count)
    {
        ULONG n = (ULONG)min(CHUNK, count - done);
        DWORD written;
        if (FAILED(hr = read_bytes(r, offset + done, n, buf)))
        {
            rc = REGION_FAIL(a, hr, r, L"ReadBytes");
            break;
        }
        if (!WriteFile(f, buf, n, &written, NULL) || written != n)
        {
            err(L"\nsrclient %ls: cannot write '%ls' (error %lu)\n", a->cmd->name, path, GetLastError());
            rc = RC_FAIL;
            break;
        }
        done += n;
        progress_update(&pr, done, FALSE);
    }
    if (!rc) progress_update(&pr, done, TRUE);
    CloseHandle(f);
    HeapFree(GetProcessHeap(), 0, buf);
    return rc;
}

/* Write the payload at offset; prints what it did. */
int write_payload(const struct args *a, ISharedRegion *r, const struct payload *p, ULONGLONG offset)
{
    VARIANT enc = v_missing(), term = v_missing();
    ULONGLONG copied;
    LONG written = 0;
    HRESULT hr = S_OK;
    BSTR text;
    int rc = RC_OK;

    switch (p->kind)
    {
    case DATA_NONE:
        break;
    case DATA_TEXT:
        if (has(a, L"encoding")) enc = v_str(get(a, L"encoding"));
        if (has(a, L"no-nul")) term = v_bool(FALSE);
        text = SysAllocString(p->text);
        hr = ISharedRegion_WriteString(r, (double)offset, text, enc, term, &written);
        SysFreeString(text);
        VariantClear(&enc);
        if (FAILED(hr)) return REGION_FAIL(a, hr, r, L"WriteString");
        out(L"wrote %ld bytes of text at offset %llu\n", written, offset);
        break;
    case DATA_HEX:
        if (FAILED(hr = write_bytes(r, offset, p->bytes, p->count))) return REGION_FAIL(a, hr, r, L"WriteBytes");
        out(L"wrote %lu bytes at offset %llu\n", p->count, offset);
        break;
    case DATA_INT32:
        if (FAILED(hr = ISharedRegion_WriteInt32(r, (double)offset, p->int32)))
            return REGION_FAIL(a, hr, r, L"WriteInt32");
        out(L"wrote int32 %ld at offset %llu\n", p->int32, offset);
        break;
    case DATA_FILE:
        if ((rc = file_to_region(a, r, p->path, offset, has(a, L"quiet"), &copied))) return rc;
        out(L"wrote %llu bytes from '%ls' at offset %llu\n", copied, p->path, offset);
        break;
    }
    return rc;
}
