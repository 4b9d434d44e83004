/*
 * srclient: the data commands, for the bytes of a region.
 *
 *   srclient write NAME [TEXT] [--offset N] [--text TEXT | --hex HEX | --file PATH | --int32 N]
 *     Writes one piece of data at --offset (default 0): text, NUL-terminated unless --no-nul, in
 *     --encoding (utf-8 by default); hex bytes; a file's contents; or a little-endian int32.
 *
 *   srclient read NAME [--offset N] [--count N] [--encoding E] [--raw | --out FILE]
 *     Prints the text at --offset up to the first NUL (or --count bytes); text that is not valid
 *     in its encoding is an error, never garbage. --raw writes the bytes to stdout unchanged
 *     (default: to the end of the region), --out FILE writes them into FILE.
 *
 *   srclient dump NAME [--offset N] [--count N]
 *     A hex dump, 16 bytes a line after their offset, with their printable ASCII; 256 bytes by
 *     default, cut at the end of the region.
 *
 *   srclient fill NAME VALUE [--offset N] [--count N]
 *     Sets --count bytes (default: to the end of the region) to VALUE, 0..255.
 *
 *   srclient copy-file (FILE region:NAME | region:NAME FILE) [--offset N] [--count N] [--quiet]
 *     Copies a whole file into a region at --offset (it must fit), or region bytes into a file,
 *     with a progress line on stderr for 8 MiB or more unless --quiet.
 */
#include "srclient.h"

int cmd_write(struct args *a)
{
    ISharedRegion *r;
    struct payload p;
    ULONGLONG off;
    int rc;

    if ((rc = offset_opt(a, &off))) return rc;
    if ((rc = parse_payload(a, a->npos > 1 ? a->pos[1] : NULL, &p))) return rc;
    if (p.kind == DATA_NONE) return usage_error(a, L"nothing to write: give TEXT, --text, --hex, --file or --int32");
    if (!(rc = open_named(a, a->pos[0], 0, &r)))
    {
        rc = write_payload(a, r, &p, off);
        ISharedRegion_Release(r);
    }
    free_payload(&p);
    return rc;
}

int cmd_read(struct args *a)
{
    VARIANT enc = v_missing(), max = v_missing();
    ISharedRegion *r;
    ULONGLONG off, size, count;
    BOOL raw = has(a, L"raw") || has(a, L"out");
    BSTR text = NULL;
    HRESULT hr;
    int rc;

    if ((rc = offset_opt(a, &off))) return rc;
    if ((rc = arg_size(a, L"count", 0, &count))) return rc;
    if (raw && has(a, L"encoding")) return usage_error(a, L"--encoding applies to text, not to --raw or --out");
    if ((rc = open_named(a, a->pos[0], 1, &r))) return rc;
    size = region_size(r);
    if (!raw)
    {
        if (has(a, L"count")) max = v_num((double)count);
        if (has(a, L"encoding")) enc = v_str(get(a, L"encoding"));
        hr = ISharedRegion_ReadString(r, (double)off, max, enc, &text);
        VariantClear(&enc);
        if (FAILED(hr)) rc = REGION_FAIL(a, hr, r, L"ReadString");
        else out(L"%ls\n", text);
        SysFreeString(text);
    }
    else
    {
        if (!has(a, L"count"))
        {
            if (off > size) { rc = bad_arg(a, L"--offset %llu is past the end of the region (%llu bytes)", off, size); goto done; }
            count = size - off;
        }
        if (has(a, L"out")) rc = region_to_file(a, r, off, count, get(a, L"out"), has(a, L"quiet"));
        else
        {
            BYTE *buf = HeapAlloc(GetProcessHeap(), 0, CHUNK);
            ULONGLONG done = 0;
            if (!buf) { rc = RC_FAIL; goto done; }
            while (done < count)
            {
                ULONG n = (ULONG)min(CHUNK, count - done);
                if (FAILED(hr = read_bytes(r, off + done, n, buf))) { rc = REGION_FAIL(a, hr, r, L"ReadBytes"); break; }
                if (!out_raw(buf, n)) { rc = RC_FAIL; break; }
                done += n;
            }
            HeapFree(GetProcessHeap(), 0, buf);
        }
        if (!rc && has(a, L"out")) out(L"read %llu bytes at offset %llu into '%ls'\n", count, off, get(a, L"out"));
    }
done:
    ISharedRegion_Release(r);
    return rc;
}

int cmd_dump(struct args *a)
{
    ISharedRegion *r;
    ULONGLONG off, count, size, end, line;
    BYTE buf[4096];
    int rc, width = 8;
    HRESULT hr;

    if ((rc = offset_opt(a, &off))) return rc;
    if ((rc = arg_size(a, L"count", DEFAULT_DUMP, &count))) return rc;
    if ((rc = open_named(a, a->pos[0], 1, &r))) return rc;
    size = region_size(r);
    if (off > size) { rc = bad_arg(a, L"--offset %llu is past the end of the region (%llu bytes)", off, size); goto done; }
    if (!has(a, L"count") && count > size - off) count = size - off;
    end = off + count;
    while (width < 16 && (end - 1) >> (4 * width)) width++;
    for (line = off; line < end; )
    {
        ULONG n = (ULONG)min((ULONGLONG)sizeof(buf), end - line), i;
        if (FAILED(hr = read_bytes(r, line, n, buf))) { rc = REGION_FAIL(a, hr, r, L"ReadBytes"); break; }
        for (i = 0; i < n; i += 16)
        {
            WCHAR text[128], *p = text;
            ULONG j, k = min(16, n - i);
            p += __mingw_snwprintf(p, 20, L"%0*llx ", width, line + i);
            for (j = 0; j < 16; j++)
            {
                if (j == 8) *p++ = ' ';
                if (j < k) p += __mingw_snwprintf(p, 5, L" %02x", buf[i + j]);
                else { wcscpy(p, L"   "); p += 3; }
            }
            *p++ = ' '; *p++ = ' '; *p++ = '|';
            for (j = 0; j < k; j++) *p++ = buf[i + j] >= 0x20 && buf[i + j] < 0x7f ? buf[i + j] : '.';
            *p++ = '|'; *p++ = '\n'; *p = 0;
            out(L"%ls", text);
        }
        line += n;
    }
done:
    ISharedRegion_Release(r);
    return rc;
}

int cmd_fill(struct args *a)
{
    ISharedRegion *r;
    ULONGLONG off, count, value, size;
    HRESULT hr;
    int rc;

    if (!parse_size(a->pos[1], &value) || value > 255) return bad_arg(a, L"VALUE '%ls' is not a byte (0..255 or 0x00..0xff)", a->pos[1]);
    if ((rc = offset_opt(a, &off))) return rc;
    if ((rc = arg_size(a, L"count", 0, &count))) return rc;
    if ((rc = open_named(a, a->pos[0], 0, &r))) return rc;
    size = region_size(r);
    if (!has(a, L"count")) count = off <= size ? size - off : 0;
    if (FAILED(hr = ISharedRegion_Fill(r, (double)off, (double)count, (LONG)value)))
        rc = REGION_FAIL(a, hr, r, L"Fill");
    else
        out(L"filled %llu bytes at offset %llu with 0x%02x\n", count, off, (unsigned)value);
    ISharedRegion_Release(r);
    return rc;
}

static const WCHAR *region_arg(const WCHAR *s)
{
    return !_wcsnicmp(s, L"region:", 7) ? s + 7 : NULL;
}

int cmd_copy_file(struct args *a)
{
    const WCHAR *src = a->pos[0], *dst = a->pos[1], *rname;
    ISharedRegion *r;
    ULONGLONG off, count, size, copied;
    ULONGLONG start = GetTickCount64();
    int rc;

    if ((rc = offset_opt(a, &off))) return rc;
    if ((rc = arg_size(a, L"count", 0, &count))) return rc;
    if (region_arg(src) && region_arg(dst)) return usage_error(a, L"one side must be a file");
    if (!region_arg(src) && !region_arg(dst)) return usage_error(a, L"one side must be region:NAME");
    if ((rname = region_arg(dst)))
    {
        if (has(a, L"count")) return usage_error(a, L"--count applies when copying out of a region");
        if ((rc = open_named(a, rname, 0, &r))) return rc;
        if (!(rc = file_to_region(a, r, src, off, has(a, L"quiet"), &copied)))
            out(L"copied %llu bytes from '%ls' into %ls at offset %llu in %llu ms\n", copied, src, dst, off,
                GetTickCount64() - start);
    }
    else
    {
        rname = region_arg(src);
        if ((rc = open_named(a, rname, 1, &r))) return rc;
        size = region_size(r);
        if (!has(a, L"count"))
        {
            if (off > size) { rc = bad_arg(a, L"--offset %llu is past the end of the region (%llu bytes)", off, size); goto done; }
            count = size - off;
        }
        if (!(rc = region_to_file(a, r, off, count, dst, has(a, L"quiet"))))
            out(L"copied %llu bytes from %ls at offset %llu into '%ls' in %llu ms\n", count, src, off, dst,
                GetTickCount64() - start);
    }
done:
    ISharedRegion_Release(r);
    return rc;
}
