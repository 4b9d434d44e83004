/*
 * srclient: the SharedRegion command-line client.
 *
 * Every region operation goes through the COM object (CoCreateInstance of SharedRegion and
 * the ISharedRegion / ISharedView interfaces); the program never calls the Win32 mapping
 * functions itself, so it behaves exactly as a script or another COM client would.
 *
 * Exit codes (also in docs/client.md and `srclient help`):
 *   0 ok, 1 other failure, 2 usage error, 3 not found, 4 already exists,
 *   5 timeout, 6 bad argument, 7 access denied.
 */
#define COBJMACROS
#include <windows.h>
#include <ole2.h>
#include <oleauto.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include "sharedregion.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

enum exit_code
{
    RC_OK = 0,
    RC_FAIL = 1,
    RC_USAGE = 2,
    RC_NOTFOUND = 3,
    RC_EXISTS = 4,
    RC_TIMEOUT = 5,
    RC_BADARG = 6,
    RC_DENIED = 7,
};

#define CHUNK           ((ULONGLONG)1 << 20)   /* bytes moved per ReadBytes/WriteBytes call */
#define PROGRESS_MIN    ((ULONGLONG)8 << 20)   /* files at least this large get a progress line */
#define POLL_MS         50                     /* how often hold/lock look at their release conditions */
#define DEFAULT_DUMP    256

/* ---- output: UTF-8 (or the console's own wide API), CRLF line ends, written at once ---- */

static void write_handle(DWORD which, const WCHAR *text)
{
    HANDLE h = GetStdHandle(which);
    DWORD mode, done;
    char *utf8;
    WCHAR *crlf;
    size_t i, j, len = wcslen(text);
    int n;

    if (!h || h == INVALID_HANDLE_VALUE || !len) return;
    if (!(crlf = HeapAlloc(GetProcessHeap(), 0, (2 * len + 1) * sizeof(WCHAR)))) return;
    for (i = j = 0; i < len; i++)
    {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) crlf[j++] = '\r';
        crlf[j++] = text[i];
    }
    crlf[j] = 0;
    if (GetConsoleMode(h, &mode))
        WriteConsoleW(h, crlf, (DWORD)j, &done, NULL);
    else if ((n = WideCharToMultiByte(CP_UTF8, 0, crlf, (int)j, NULL, 0, NULL, NULL)) > 0
             && (utf8 = HeapAlloc(GetProcessHeap(), 0, n)))
    {
        WideCharToMultiByte(CP_UTF8, 0, crlf, (int)j, utf8, n, NULL, NULL);
        WriteFile(h, utf8, (DWORD)n, &done, NULL);
        HeapFree(GetProcessHeap(), 0, utf8);
    }
    HeapFree(GetProcessHeap(), 0, crlf);
}

static void vprint(DWORD which, const WCHAR *fmt, va_list ap)
{
    WCHAR text[4096];
    __mingw_vsnwprintf(text, ARRAY_SIZE(text), fmt, ap);
    text[ARRAY_SIZE(text) - 1] = 0;
    write_handle(which, text);
}

static void out(const WCHAR *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(STD_OUTPUT_HANDLE, fmt, ap);
    va_end(ap);
}

static void err(const WCHAR *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(STD_ERROR_HANDLE, fmt, ap);
    va_end(ap);
}

/* Raw bytes to stdout (read --raw): no conversion at all. */
static BOOL out_raw(const void *data, DWORD n)
{
    HANDLE h = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD done;
    return WriteFile(h, data, n, &done, NULL) && done == n;
}

/* ---- the command table ---- */

struct optdef
{
    const WCHAR *name;
    BOOL has_value;
};

#define MAX_POS  4
#define MAX_OPTS 16

struct args;

struct command
{
    const WCHAR *name;
    const WCHAR *alias;
    int min_pos, max_pos;
    BOOL takes_command;          /* "-- PROGRAM ARGS..." after the options */
    const struct optdef *opts;   /* terminated by { NULL } */
    const WCHAR *synopsis;
    const WCHAR *summary;
    const WCHAR *help;
    int (*run)(struct args *a);
};

struct args
{
    const struct command *cmd;
    const WCHAR *prog;
    int npos;
    const WCHAR *pos[MAX_POS];
    const WCHAR *value[MAX_OPTS];
    BOOL set[MAX_OPTS];
    int rest_argc;               /* after "--" */
    WCHAR **rest_argv;
};

static int opt_index(const struct command *cmd, const WCHAR *name)
{
    int i;
    for (i = 0; cmd->opts[i].name; i++)
        if (!wcscmp(cmd->opts[i].name, name)) return i;
    return -1;
}

static BOOL has(const struct args *a, const WCHAR *name)
{
    int i = opt_index(a->cmd, name);
    return i >= 0 && a->set[i];
}

static const WCHAR *get(const struct args *a, const WCHAR *name)
{
    int i = opt_index(a->cmd, name);
    return i >= 0 && a->set[i] ? a->value[i] : NULL;
}

static int usage_error(const struct args *a, const WCHAR *fmt, ...)
{
    WCHAR text[1024];
    va_list ap;

    va_start(ap, fmt);
    __mingw_vsnwprintf(text, ARRAY_SIZE(text), fmt, ap);
    va_end(ap);
    text[ARRAY_SIZE(text) - 1] = 0;
    if (a && a->cmd)
        err(L"srclient %ls: %ls\nusage: srclient %ls\n(srclient %ls --help for more)\n", a->cmd->name, text,
            a->cmd->synopsis, a->cmd->name);
    else
        err(L"srclient: %ls\n(srclient --help lists the commands)\n", text);
    return RC_USAGE;
}

/* A bad value in an argument (not a usage mistake): exit code 6. */
static int bad_arg(const struct args *a, const WCHAR *fmt, ...)
{
    WCHAR text[1024];
    va_list ap;

    va_start(ap, fmt);
    __mingw_vsnwprintf(text, ARRAY_SIZE(text), fmt, ap);
    va_end(ap);
    text[ARRAY_SIZE(text) - 1] = 0;
    err(L"srclient %ls: %ls\n", a->cmd->name, text);
    return RC_BADARG;
}

/* ---- numbers: decimal or 0x hex, with an optional binary suffix (K, M, G, T; KB, KiB, ...) ---- */

static BOOL parse_size(const WCHAR *s, ULONGLONG *out)
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
static const WCHAR *parse_hex(const WCHAR *s, BYTE **bytes, ULONG *count, WCHAR *why, size_t why_len)
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

static int arg_size(const struct args *a, const WCHAR *opt, ULONGLONG def, ULONGLONG *out)
{
    const WCHAR *v = get(a, opt);
    if (!v) { *out = def; return RC_OK; }
    if (!parse_size(v, out))
        return bad_arg(a, L"--%ls '%ls' is not a number (use decimal or 0x hex, optionally with K, M, G or T)",
                       opt, v);
    return RC_OK;
}

static int arg_duration(const struct args *a, const WCHAR *opt, LONG def, LONG *out)
{
    const WCHAR *v = get(a, opt);
    if (!v) { *out = def; return RC_OK; }
    if (!parse_duration(v, out))
        return bad_arg(a, L"--%ls '%ls' is not a duration (milliseconds, or a number with ms, s, m or h; "
                          L"'infinite' for no limit)", opt, v);
    return RC_OK;
}

/* ---- COM errors: the server's own sentence (IErrorInfo), and an exit code ---- */

static int exit_code_for(HRESULT hr)
{
    switch (hr)
    {
    case HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND):
    case HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND):
        return RC_NOTFOUND;
    case HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS):
    case HRESULT_FROM_WIN32(ERROR_FILE_EXISTS):
        return RC_EXISTS;
    case E_INVALIDARG:
    case SR_E_BADENCODING:
    case SR_E_EMPTYFILE:
        return RC_BADARG;
    case E_ACCESSDENIED: /* also HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED) */
        return RC_DENIED;
    case HRESULT_FROM_WIN32(WAIT_TIMEOUT):
        return RC_TIMEOUT;
    default:
        return RC_FAIL;
    }
}

/* Report a failed call on obj (interface iid): the rich error if the object supports it, else the
 * system's text for hr. Returns the exit code. */
static int com_fail(const struct args *a, HRESULT hr, void *obj, REFIID iid, const WCHAR *what)
{
    ISupportErrorInfo *sei = NULL;
    IErrorInfo *info = NULL;
    BSTR desc = NULL;
    WCHAR sys[512] = L"";

    if (obj && SUCCEEDED(IUnknown_QueryInterface((IUnknown *)obj, &IID_ISupportErrorInfo, (void **)&sei)))
    {
        if (ISupportErrorInfo_InterfaceSupportsErrorInfo(sei, iid) == S_OK && GetErrorInfo(0, &info) == S_OK && info)
        {
            IErrorInfo_GetDescription(info, &desc);
            IErrorInfo_Release(info);
        }
        ISupportErrorInfo_Release(sei);
    }
    if (desc && *desc)
        err(L"srclient %ls: %ls\n", a->cmd->name, desc);
    else
    {
        DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, (DWORD)hr, 0,
                                 sys, ARRAY_SIZE(sys), NULL);
        while (n && (sys[n - 1] == '\n' || sys[n - 1] == '\r' || sys[n - 1] == ' ')) sys[--n] = 0;
        err(L"srclient %ls: %ls failed with 0x%08lx%ls%ls\n", a->cmd->name, what, (unsigned long)hr,
            n ? L": " : L"", sys);
    }
    SysFreeString(desc);
    return exit_code_for(hr);
}

#define REGION_FAIL(a, hr, r, what) com_fail(a, hr, r, &IID_ISharedRegion, what)

static VARIANT v_missing(void)
{
    VARIANT v;
    V_VT(&v) = VT_ERROR;
    V_ERROR(&v) = DISP_E_PARAMNOTFOUND;
    return v;
}

static VARIANT v_num(double d)
{
    VARIANT v;
    V_VT(&v) = VT_R8;
    V_R8(&v) = d;
    return v;
}

static VARIANT v_bool(BOOL b)
{
    VARIANT v;
    V_VT(&v) = VT_BOOL;
    V_BOOL(&v) = b ? VARIANT_TRUE : VARIANT_FALSE;
    return v;
}

/* A borrowed-string VARIANT for an [in] argument: the BSTR is freed by the caller with VariantClear. */
static VARIANT v_str(const WCHAR *s)
{
    VARIANT v;
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(s);
    return v;
}

static HRESULT new_region(ISharedRegion **r)
{
    return CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)r);
}

static int create_object(const struct args *a, ISharedRegion **r)
{
    HRESULT hr = new_region(r);
    if (FAILED(hr))
    {
        if (hr == REGDB_E_CLASSNOTREG)
            err(L"srclient %ls: SharedRegion is not registered on this machine (run: regsvr32 sharedregion.dll)\n",
                a->cmd->name);
        else
            com_fail(a, hr, NULL, &IID_NULL, L"CoCreateInstance(SharedRegion)");
        return RC_FAIL;
    }
    return RC_OK;
}

/* Open an existing region by name; access 0 ReadWrite, 1 ReadOnly. */
static int open_named(const struct args *a, const WCHAR *name, int access, ISharedRegion **out)
{
    ISharedRegion *r;
    BSTR b;
    HRESULT hr;
    int rc;

    *out = NULL;
    if ((rc = create_object(a, &r))) return rc;
    b = SysAllocString(name);
    hr = ISharedRegion_Open(r, b, access ? v_num(access) : v_missing());
    SysFreeString(b);
    if (FAILED(hr))
    {
        rc = REGION_FAIL(a, hr, r, L"Open");
        ISharedRegion_Release(r);
        return rc;
    }
    *out = r;
    return RC_OK;
}

static BSTR region_name(ISharedRegion *r)
{
    BSTR n = NULL;
    if (FAILED(ISharedRegion_get_Name(r, &n)) || !n) n = SysAllocString(L"?");
    return n;
}

static ULONGLONG region_size(ISharedRegion *r)
{
    double d = 0;
    ISharedRegion_get_Size(r, &d);
    return (ULONGLONG)d;
}

static const WCHAR *human_size(ULONGLONG n, WCHAR *buf, size_t len)
{
    static const WCHAR *units[] = { L"bytes", L"KiB", L"MiB", L"GiB", L"TiB" };
    double d = (double)n;
    int u = 0;

    while (d >= 1024 && u < 4) { d /= 1024; u++; }
    if (!u) __mingw_snwprintf(buf, len, L"%llu bytes", n);
    else __mingw_snwprintf(buf, len, L"%.1f %ls", d, units[u]);
    return buf;
}

/* ---- bytes through ReadBytes / WriteBytes ---- */

/* A Byte() (VT_ARRAY | VT_UI1) holding a copy of n bytes; VariantClear frees it. */
static HRESULT make_byte_array(const BYTE *data, ULONG n, VARIANT *v)
{
    void *p;
    HRESULT hr;

    V_VT(v) = VT_ARRAY | VT_UI1;
    if (!(V_ARRAY(v) = SafeArrayCreateVector(VT_UI1, 0, n))) return E_OUTOFMEMORY;
    if (FAILED(hr = SafeArrayAccessData(V_ARRAY(v), &p)))
    {
        VariantClear(v);
        return hr;
    }
    memcpy(p, data, n);
    SafeArrayUnaccessData(V_ARRAY(v));
    return S_OK;
}

static HRESULT write_bytes(ISharedRegion *r, ULONGLONG offset, const BYTE *data, ULONG n)
{
    VARIANT v;
    HRESULT hr;

    if (FAILED(hr = make_byte_array(data, n, &v))) return hr;
    hr = ISharedRegion_WriteBytes(r, (double)offset, v);
    VariantClear(&v);
    return hr;
}

static HRESULT view_write_bytes(ISharedView *view, ULONGLONG offset, const BYTE *data, ULONG n)
{
    VARIANT v;
    HRESULT hr;

    if (FAILED(hr = make_byte_array(data, n, &v))) return hr;
    hr = ISharedView_WriteBytes(view, (double)offset, v);
    VariantClear(&v);
    return hr;
}

/* Read n bytes into buf. */
static HRESULT read_bytes(ISharedRegion *r, ULONGLONG offset, ULONG n, BYTE *buf)
{
    VARIANT v;
    void *p;
    HRESULT hr;

    VariantInit(&v);
    if (FAILED(hr = ISharedRegion_ReadBytes(r, (double)offset, (double)n, &v))) return hr;
    if (V_VT(&v) != (VT_ARRAY | VT_UI1) || V_ARRAY(&v)->rgsabound[0].cElements != n)
        hr = E_UNEXPECTED;
    else if (SUCCEEDED(hr = SafeArrayAccessData(V_ARRAY(&v), &p)))
    {
        memcpy(buf, p, n);
        SafeArrayUnaccessData(V_ARRAY(&v));
    }
    VariantClear(&v);
    return hr;
}

/* ---- the data options shared by create, write and lock ---- */

struct payload
{
    enum { DATA_NONE, DATA_TEXT, DATA_HEX, DATA_FILE, DATA_INT32 } kind;
    const WCHAR *text;
    BYTE *bytes;          /* hex */
    ULONG count;
    const WCHAR *path;
    LONG int32;
};

static int parse_payload(const struct args *a, const WCHAR *positional_text, struct payload *p)
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

static void free_payload(struct payload *p)
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
static int file_to_region(const struct args *a, ISharedRegion *r, const WCHAR *path, ULONGLONG offset,
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
static int region_to_file(const struct args *a, ISharedRegion *r, ULONGLONG offset, ULONGLONG count,
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
static int write_payload(const struct args *a, ISharedRegion *r, const struct payload *p, ULONGLONG offset)
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

/* ---- holding: until a signal on the region, a key / end of stdin, a time, or a timeout ---- */

static HANDLE stdin_event;
static const WCHAR *stdin_reason = L"stdin closed";

static DWORD WINAPI stdin_thread(void *arg)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    DWORD mode, n;

    if (in && in != INVALID_HANDLE_VALUE)
    {
        if (GetConsoleMode(in, &mode))
        {
            INPUT_RECORD rec;
            FlushConsoleInputBuffer(in);
            while (ReadConsoleInputW(in, &rec, 1, &n))
                if (n && rec.EventType == KEY_EVENT && rec.Event.KeyEvent.bKeyDown)
                {
                    stdin_reason = L"key pressed";
                    break;
                }
        }
        else
        {
            char buf[512];
            while (ReadFile(in, buf, sizeof(buf), &n, NULL) && n) {}
        }
    }
    SetEvent(stdin_event);
    return 0;
}

static BOOL start_stdin_watch(void)
{
    HANDLE t;
    if (!(stdin_event = CreateEventW(NULL, TRUE, FALSE, NULL))) return FALSE;
    if (!(t = CreateThread(NULL, 0, stdin_thread, NULL, 0, NULL))) return FALSE;
    CloseHandle(t);
    return TRUE;
}

struct hold
{
    BOOL signal, stdin_watch;
    LONG for_ms, timeout_ms;       /* -1: none */
};

static int parse_hold(const struct args *a, struct hold *h)
{
    int rc;
    h->signal = has(a, L"signal");
    h->stdin_watch = has(a, L"stdin");
    if ((rc = arg_duration(a, L"for", -1, &h->for_ms))) return rc;
    if ((rc = arg_duration(a, L"timeout", -1, &h->timeout_ms))) return rc;
    if (h->for_ms >= 0 && (h->signal || h->stdin_watch || h->timeout_ms >= 0))
        return usage_error(a, L"--for holds for a fixed time; it does not combine with --signal, --stdin or --timeout");
    if (!h->signal && h->for_ms < 0) h->stdin_watch = TRUE;
    return RC_OK;
}

/* Keep r (and whatever the caller holds) alive until the hold ends. */
static int hold_region(const struct args *a, ISharedRegion *r, const struct hold *h)
{
    ULONGLONG start = GetTickCount64();
    WCHAR until[256] = L"";
    BSTR name = region_name(r);
    VARIANT_BOOL pending = VARIANT_FALSE;
    int rc = RC_OK;

    if (h->stdin_watch && !start_stdin_watch())
    {
        err(L"srclient %ls: cannot watch stdin (error %lu)\n", a->cmd->name, GetLastError());
        SysFreeString(name);
        return RC_FAIL;
    }
    if (h->for_ms >= 0) __mingw_snwprintf(until, ARRAY_SIZE(until), L"for %ld ms", h->for_ms);
    else
    {
        wcscat(until, L"until ");
        if (h->signal) wcscat(until, L"the region is signalled (srclient signal)");
        if (h->signal && h->stdin_watch) wcscat(until, L" or ");
        if (h->stdin_watch) wcscat(until, L"a key is pressed or stdin ends");
        if (h->timeout_ms >= 0)
            __mingw_snwprintf(until + wcslen(until), ARRAY_SIZE(until) - wcslen(until), L", at most %ld ms",
                              h->timeout_ms);
    }
    /* Open the region's signal event now, so that it exists as long as this process holds the
     * region: a Signal sent while nobody waits is then kept for the next waiter. The probe must not
     * eat a signal that is already pending, so one found is set again. */
    if (SUCCEEDED(ISharedRegion_WaitSignal(r, 0, &pending)) && pending) ISharedRegion_Signal(r);
    out(L"holding %ls %ls\n", name, until);

    for (;;)
    {
        ULONGLONG elapsed = GetTickCount64() - start;
        LONG limit = h->for_ms >= 0 ? h->for_ms : h->timeout_ms;
        LONG slice = POLL_MS;
        VARIANT_BOOL got = VARIANT_FALSE;
        HRESULT hr;

        if (limit >= 0 && elapsed >= (ULONGLONG)limit)
        {
            if (h->for_ms >= 0) out(L"released %ls after %ld ms\n", name, h->for_ms);
            else
            {
                err(L"srclient %ls: timed out after %ld ms holding %ls (nothing released it)\n", a->cmd->name,
                    h->timeout_ms, name);
                rc = RC_TIMEOUT;
            }
            break;
        }
        if (limit >= 0 && (ULONGLONG)limit - elapsed < (ULONGLONG)slice) slice = (LONG)(limit - elapsed);
        if (h->signal)
        {
            if (FAILED(hr = ISharedRegion_WaitSignal(r, slice, &got)))
            {
                rc = REGION_FAIL(a, hr, r, L"WaitSignal");
                break;
            }
            if (got)
            {
                out(L"released %ls: signalled\n", name);
                break;
            }
        }
        if (h->stdin_watch && WaitForSingleObject(stdin_event, h->signal ? 0 : (DWORD)slice) == WAIT_OBJECT_0)
        {
            out(L"released %ls: %ls\n", name, stdin_reason);
            break;
        }
        if (!h->signal && !h->stdin_watch) Sleep(slice);
    }
    SysFreeString(name);
    return rc;
}

/* ---- commands ---- */

static int offset_opt(const struct args *a, ULONGLONG *off)
{
    return arg_size(a, L"offset", 0, off);
}

static int cmd_create(struct args *a)
{
    const WCHAR *name = a->pos[0];
    ISharedRegion *r = NULL;
    struct payload p;
    struct hold h;
    ULONGLONG size, off;
    VARIANT sddl = v_missing();
    WCHAR hs[32];
    BSTR b, kname;
    HRESULT hr;
    int rc;

    if (!parse_size(a->pos[1], &size))
        return bad_arg(a, L"SIZE '%ls' is not a number (use decimal or 0x hex, optionally with K, M, G or T)",
                       a->pos[1]);
    if ((rc = offset_opt(a, &off))) return rc;
    if ((rc = parse_payload(a, NULL, &p))) return rc;
    if (has(a, L"no-hold") && (has(a, L"signal") || has(a, L"stdin") || has(a, L"for") || has(a, L"timeout")))
    {
        free_payload(&p);
        return usage_error(a, L"--no-hold does not combine with --signal, --stdin, --for or --timeout");
    }
    if (!has(a, L"no-hold") && (rc = parse_hold(a, &h))) { free_payload(&p); return rc; }
    if ((rc = create_object(a, &r))) { free_payload(&p); return rc; }

    if (has(a, L"sddl")) sddl = v_str(get(a, L"sddl"));
    b = SysAllocString(name);
    hr = ISharedRegion_Create(r, b, (double)size, sddl);
    SysFreeString(b);
    VariantClear(&sddl);
    if (FAILED(hr)) { rc = REGION_FAIL(a, hr, r, L"Create"); goto done; }
    kname = region_name(r);
    out(L"created %ls: %ls\n", *kname ? kname : L"an anonymous region", human_size(region_size(r), hs, ARRAY_SIZE(hs)));
    SysFreeString(kname);
    if ((rc = write_payload(a, r, &p, off))) goto done;
    if (has(a, L"no-hold"))
        out(L"not holding: the region goes away now unless another process has it open\n");
    else
        rc = hold_region(a, r, &h);

done:
    free_payload(&p);
    if (r) ISharedRegion_Release(r);
    return rc;
}

static int cmd_info(struct args *a)
{
    static const WCHAR *access[] = { L"ReadWrite", L"ReadOnly", L"CopyOnWrite" };
    ISharedRegion *r;
    RegionAccess acc = RegionReadWrite;
    WCHAR hs[32];
    BSTR name;
    int rc;

    if ((rc = open_named(a, a->pos[0], has(a, L"readonly") ? 1 : 0, &r))) return rc;
    name = region_name(r);
    ISharedRegion_get_Access(r, &acc);
    out(L"name:   %ls\nsize:   %llu bytes (%ls)\naccess: %ls\n", name, region_size(r),
        human_size(region_size(r), hs, ARRAY_SIZE(hs)), (unsigned)acc < 3 ? access[acc] : L"?");
    SysFreeString(name);
    ISharedRegion_Release(r);
    return RC_OK;
}

static int cmd_write(struct args *a)
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

static int cmd_read(struct args *a)
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

static int cmd_dump(struct args *a)
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

/* ---- peek and unpack: typed values and structs, as the server decodes them ---- */

/* One decoded value as text: numbers in the shortest form that reads back the same, exact Decimals,
 * Booleans as True/False, strings in double quotes. */
static void format_value(const VARIANT *v, WCHAR *buf, size_t len)
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

static int cmd_peek(struct args *a)
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

static int cmd_unpack(struct args *a)
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

static int cmd_fill(struct args *a)
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

static int cmd_hold(struct args *a)
{
    ISharedRegion *r;
    struct hold h;
    WCHAR hs[32];
    BSTR name;
    int rc;

    if ((rc = parse_hold(a, &h))) return rc;
    if ((rc = open_named(a, a->pos[0], has(a, L"readonly") ? 1 : 0, &r))) return rc;
    name = region_name(r);
    out(L"opened %ls: %ls\n", name, human_size(region_size(r), hs, ARRAY_SIZE(hs)));
    SysFreeString(name);
    rc = hold_region(a, r, &h);
    ISharedRegion_Release(r);
    return rc;
}

/* Quote one argument for a Windows command line (the CommandLineToArgvW rules). */
static void append_quoted(WCHAR *cmd, size_t len, const WCHAR *arg)
{
    size_t n = wcslen(cmd);
    const WCHAR *p;

    if (n && n < len - 1) cmd[n++] = ' ';
    if (*arg && !wcspbrk(arg, L" \t\"\n"))
    {
        for (p = arg; *p && n < len - 1; p++) cmd[n++] = *p;
        cmd[n] = 0;
        return;
    }
    if (n < len - 1) cmd[n++] = '"';
    for (p = arg; *p; p++)
    {
        size_t slashes = 0;
        while (*p == '\\') { slashes++; p++; }
        if (!*p) { while (slashes-- && n < len - 2) { cmd[n++] = '\\'; cmd[n++] = '\\'; } break; }
        if (*p == '"') { slashes = slashes * 2 + 1; }
        while (slashes-- && n < len - 1) cmd[n++] = '\\';
        if (n < len - 1) cmd[n++] = *p;
    }
    if (n < len - 1) cmd[n++] = '"';
    cmd[n] = 0;
}

static int cmd_lock(struct args *a)
{
    ISharedRegion *r;
    ISharedView *view = NULL;
    VARIANT_BOOL got = VARIANT_FALSE, abandoned = VARIANT_FALSE;
    struct payload p;
    ULONGLONG off;
    LONG timeout, for_ms;
    BSTR name = NULL;
    HRESULT hr;
    int rc, modes = has(a, L"for") + has(a, L"stdin") + (a->rest_argc > 0);

    if (modes > 1) return usage_error(a, L"give one of --for, --stdin or -- COMMAND");
    if ((rc = arg_duration(a, L"timeout", -1, &timeout))) return rc;
    if ((rc = arg_duration(a, L"for", -1, &for_ms))) return rc;
    if ((rc = offset_opt(a, &off))) return rc;
    if ((rc = parse_payload(a, NULL, &p))) return rc;
    if (p.kind == DATA_FILE || p.kind == DATA_INT32) { free_payload(&p); return usage_error(a, L"lock writes --text or --hex only"); }
    if ((rc = open_named(a, a->pos[0], 0, &r))) { free_payload(&p); return rc; }
    name = region_name(r);

    if (FAILED(hr = ISharedRegion_Lock(r, timeout, &got))) { rc = REGION_FAIL(a, hr, r, L"Lock"); goto done; }
    if (!got)
    {
        err(L"srclient lock: timed out after %ld ms waiting for the lock on %ls (another process holds it)\n",
            timeout, name);
        rc = RC_TIMEOUT;
        goto done;
    }
    ISharedRegion_get_LockAbandoned(r, &abandoned);
    if (abandoned)
        out(L"note: the previous owner of the lock on %ls ended without unlocking (LockAbandoned); "
            L"the data it guarded may be half-written\n", name);
    out(L"locked %ls (process %lu, thread %lu)\n", name, GetCurrentProcessId(), GetCurrentThreadId());

    if (p.kind != DATA_NONE)
    {
        /* Write through a view of just the bytes concerned. */
        ULONG n = p.kind == DATA_HEX ? p.count : 0;
        if (p.kind == DATA_TEXT) n = (ULONG)WideCharToMultiByte(CP_UTF8, 0, p.text, -1, NULL, 0, NULL, NULL);
        hr = ISharedRegion_MapView(r, (double)off, (double)n, v_missing(), &view);
        if (FAILED(hr)) rc = REGION_FAIL(a, hr, r, L"MapView");
        else if (p.kind == DATA_HEX)
        {
            if (FAILED(hr = view_write_bytes(view, 0, p.bytes, p.count)))
                rc = com_fail(a, hr, view, &IID_ISharedView, L"WriteBytes");
        }
        else
        {
            BSTR text = SysAllocString(p.text);
            LONG written;
            if (FAILED(hr = ISharedView_WriteString(view, 0, text, v_missing(), v_missing(), &written)))
                rc = com_fail(a, hr, view, &IID_ISharedView, L"WriteString");
            SysFreeString(text);
        }
        if (!rc) out(L"wrote %lu bytes through a view at offset %llu\n", n, off);
    }

    if (!rc)
    {
        if (a->rest_argc > 0)
        {
            static WCHAR cmdline[32768];
            STARTUPINFOW si;
            PROCESS_INFORMATION pi;
            DWORD code = RC_FAIL;
            int i;

            memset(&si, 0, sizeof(si));
            si.cb = sizeof(si);
            cmdline[0] = 0;
            for (i = 0; i < a->rest_argc; i++) append_quoted(cmdline, ARRAY_SIZE(cmdline), a->rest_argv[i]);
            if (!CreateProcessW(NULL, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
            {
                err(L"srclient lock: cannot run '%ls' (error %lu)\n", a->rest_argv[0], GetLastError());
                rc = GetLastError() == ERROR_FILE_NOT_FOUND ? RC_NOTFOUND : RC_FAIL;
            }
            else
            {
                WaitForSingleObject(pi.hProcess, INFINITE);
                GetExitCodeProcess(pi.hProcess, &code);
                CloseHandle(pi.hThread);
                CloseHandle(pi.hProcess);
                out(L"'%ls' exited with %lu\n", a->rest_argv[0], code);
                rc = (int)code;
            }
        }
        else if (for_ms >= 0)
            Sleep((DWORD)for_ms);
        else
        {
            if (!start_stdin_watch()) { rc = RC_FAIL; goto unlock; }
            out(L"holding the lock until a key is pressed or stdin ends\n");
            WaitForSingleObject(stdin_event, INFINITE);
        }
    }
unlock:
    if (view) ISharedView_Release(view);
    if (FAILED(hr = ISharedRegion_Unlock(r))) rc = REGION_FAIL(a, hr, r, L"Unlock");
    else out(L"unlocked %ls\n", name);

done:
    free_payload(&p);
    SysFreeString(name);
    ISharedRegion_Release(r);
    return rc;
}

static int cmd_unlock(struct args *a)
{
    ISharedRegion *r;
    HRESULT hr;
    int rc;

    if ((rc = open_named(a, a->pos[0], 0, &r))) return rc;
    if (FAILED(hr = ISharedRegion_Unlock(r)))
    {
        rc = REGION_FAIL(a, hr, r, L"Unlock");
        if (hr == HRESULT_FROM_WIN32(ERROR_NOT_OWNER))
            err(L"srclient unlock: a lock belongs to the thread that took it; end the process that holds it "
                L"(its 'srclient lock' command) to release it\n");
    }
    else
        out(L"unlocked\n");
    ISharedRegion_Release(r);
    return rc;
}

static int cmd_signal(struct args *a)
{
    ISharedRegion *r;
    BSTR name;
    HRESULT hr;
    int rc;

    if ((rc = open_named(a, a->pos[0], 0, &r))) return rc;
    name = region_name(r);
    if (FAILED(hr = ISharedRegion_Signal(r))) rc = REGION_FAIL(a, hr, r, L"Signal");
    else out(L"signalled %ls\n", name);
    SysFreeString(name);
    ISharedRegion_Release(r);
    return rc;
}

static int cmd_wait(struct args *a)
{
    ISharedRegion *r;
    VARIANT_BOOL got = VARIANT_FALSE;
    LONG timeout;
    BSTR name;
    HRESULT hr;
    int rc;

    if ((rc = arg_duration(a, L"timeout", -1, &timeout))) return rc;
    if ((rc = open_named(a, a->pos[0], 0, &r))) return rc;
    name = region_name(r);
    if (FAILED(hr = ISharedRegion_WaitSignal(r, timeout, &got))) rc = REGION_FAIL(a, hr, r, L"WaitSignal");
    else if (got) out(L"signalled %ls\n", name);
    else
    {
        err(L"srclient wait: timed out after %ld ms: no signal on %ls\n", timeout, name);
        rc = RC_TIMEOUT;
    }
    SysFreeString(name);
    ISharedRegion_Release(r);
    return rc;
}

static const WCHAR *region_arg(const WCHAR *s)
{
    return !_wcsnicmp(s, L"region:", 7) ? s + 7 : NULL;
}

static int cmd_copy_file(struct args *a)
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

static int cmd_incr(struct args *a)
{
    ISharedRegion *r;
    ULONGLONG count, off, i;
    LONG timeout, v = 0;
    BOOL use_lock = !has(a, L"no-lock");
    VARIANT_BOOL got;
    HRESULT hr = S_OK;
    ULONGLONG start = GetTickCount64();
    int rc;

    if ((rc = arg_size(a, L"count", 1, &count))) return rc;
    if ((rc = offset_opt(a, &off))) return rc;
    if ((rc = arg_duration(a, L"timeout", 30000, &timeout))) return rc;
    if ((rc = open_named(a, a->pos[0], 0, &r))) return rc;
    for (i = 0; i < count; i++)
    {
        if (use_lock)
        {
            if (FAILED(hr = ISharedRegion_Lock(r, timeout, &got))) { rc = REGION_FAIL(a, hr, r, L"Lock"); break; }
            if (!got)
            {
                err(L"srclient incr: increment %llu: timed out after %ld ms waiting for the lock\n", i + 1, timeout);
                rc = RC_TIMEOUT;
                break;
            }
        }
        if (FAILED(hr = ISharedRegion_ReadInt32(r, (double)off, &v))) rc = REGION_FAIL(a, hr, r, L"ReadInt32");
        else if (FAILED(hr = ISharedRegion_WriteInt32(r, (double)off, v + 1))) rc = REGION_FAIL(a, hr, r, L"WriteInt32");
        if (use_lock && FAILED(hr = ISharedRegion_Unlock(r)) && !rc) rc = REGION_FAIL(a, hr, r, L"Unlock");
        if (rc) break;
    }
    if (!rc)
        out(L"incremented the counter at offset %llu %llu times %ls in %llu ms; the last value this process wrote: %ld\n",
            off, count, use_lock ? L"under the lock" : L"WITHOUT the lock", GetTickCount64() - start, v + 1);
    ISharedRegion_Release(r);
    return rc;
}

static int cmd_pingpong(struct args *a)
{
    const WCHAR *role = get(a, L"role");
    ISharedRegion *ping = NULL, *pong = NULL, *in, *outr;
    ULONGLONG rounds, i;
    LONG timeout, v;
    VARIANT_BOOL got;
    HRESULT hr;
    ULONGLONG start;
    BOOL first;
    int rc;

    if (!role || (wcscmp(role, L"ping") && wcscmp(role, L"pong")))
        return usage_error(a, L"--role must be ping (starts each round) or pong (answers)");
    first = !wcscmp(role, L"ping");
    if ((rc = arg_size(a, L"rounds", 1000, &rounds))) return rc;
    if (rounds > 0x7fffffff) return bad_arg(a, L"--rounds %llu is too large", rounds);
    if ((rc = arg_duration(a, L"timeout", 10000, &timeout))) return rc;
    if ((rc = open_named(a, a->pos[0], 0, &ping))) return rc;
    if ((rc = open_named(a, a->pos[1], 0, &pong))) goto done;
    /* ping signals PING_REGION and waits on PONG_REGION; pong the other way round: a process never
     * waits on the event it sets, so it cannot consume its own signal. */
    in = first ? pong : ping;
    outr = first ? ping : pong;
    out(L"pingpong %ls: %llu rounds, timeout %ld ms per wait\n", role, rounds, timeout);
    start = GetTickCount64();
    for (i = 1; i <= rounds; i++)
    {
        if (first)
        {
            if (FAILED(hr = ISharedRegion_WriteInt32(outr, 0, (LONG)i))) { rc = REGION_FAIL(a, hr, outr, L"WriteInt32"); break; }
            if (FAILED(hr = ISharedRegion_Signal(outr))) { rc = REGION_FAIL(a, hr, outr, L"Signal"); break; }
        }
        if (FAILED(hr = ISharedRegion_WaitSignal(in, timeout, &got))) { rc = REGION_FAIL(a, hr, in, L"WaitSignal"); break; }
        if (!got)
        {
            err(L"srclient pingpong %ls: round %llu: no signal within %ld ms (a lost wake-up, or the other side died)\n",
                role, i, timeout);
            rc = RC_TIMEOUT;
            break;
        }
        if (FAILED(hr = ISharedRegion_ReadInt32(in, 0, &v))) { rc = REGION_FAIL(a, hr, in, L"ReadInt32"); break; }
        if (v != (LONG)i)
        {
            err(L"srclient pingpong %ls: round %llu: read %ld, expected %llu\n", role, i, v, i);
            rc = RC_FAIL;
            break;
        }
        if (!first)
        {
            if (FAILED(hr = ISharedRegion_WriteInt32(outr, 0, v))) { rc = REGION_FAIL(a, hr, outr, L"WriteInt32"); break; }
            if (FAILED(hr = ISharedRegion_Signal(outr))) { rc = REGION_FAIL(a, hr, outr, L"Signal"); break; }
        }
    }
    if (!rc)
    {
        ULONGLONG ms = GetTickCount64() - start;
        out(L"pingpong %ls: %llu round trips in %llu ms (%.1f us each), none lost\n", role, rounds, ms,
            rounds ? (double)ms * 1000.0 / (double)rounds : 0.0);
    }
done:
    if (pong) ISharedRegion_Release(pong);
    if (ping) ISharedRegion_Release(ping);
    return rc;
}

/* ---- the table ---- */

#define HOLD_HELP \
    L"Holding ends, by default, when a key is pressed (in a console) or stdin ends (a pipe or file):\n" \
    L"  --signal         end when the region is signalled ('srclient signal NAME', or Signal() in a script)\n" \
    L"  --stdin          also end on a key or end of stdin (the default when --signal is not given)\n" \
    L"  --for DURATION   hold for exactly this long, then exit 0\n" \
    L"  --timeout DUR    give up after this long if nothing released it: exit 5\n"

#define DATA_HELP \
    L"  --offset N       where to write (default 0)\n" \
    L"  --text TEXT      text, NUL-terminated (add --no-nul to leave the NUL out)\n" \
    L"  --encoding E     utf-8 (default) or utf-16\n" \
    L"  --hex HEX        bytes: \"de ad be ef\", deadbeef, 0xde,0xad (two digits per byte)\n" \
    L"  --file PATH      the contents of a file\n" \
    L"  --int32 N        a little-endian 32-bit integer\n"

#define FLAG(n)  { n, FALSE }
#define VALUE(n) { n, TRUE }
#define END      { NULL, FALSE }

static const struct optdef create_opts[] = {
    VALUE(L"sddl"), VALUE(L"offset"), VALUE(L"text"), VALUE(L"hex"), VALUE(L"file"),
    VALUE(L"int32"), VALUE(L"encoding"), FLAG(L"no-nul"), FLAG(L"quiet"), FLAG(L"no-hold"),
    FLAG(L"signal"), FLAG(L"stdin"), VALUE(L"for"), VALUE(L"timeout"), END };
static const struct optdef info_opts[] = { FLAG(L"readonly"), END };
static const struct optdef write_opts[] = {
    VALUE(L"offset"), VALUE(L"text"), VALUE(L"hex"), VALUE(L"file"), VALUE(L"int32"),
    VALUE(L"encoding"), FLAG(L"no-nul"), FLAG(L"quiet"), END };
static const struct optdef read_opts[] = {
    VALUE(L"offset"), VALUE(L"count"), VALUE(L"encoding"), FLAG(L"raw"), VALUE(L"out"), FLAG(L"quiet"), END };
static const struct optdef dump_opts[] = { VALUE(L"offset"), VALUE(L"count"), END };
static const struct optdef fill_opts[] = { VALUE(L"offset"), VALUE(L"count"), END };
static const struct optdef peek_opts[] = { VALUE(L"offset"), VALUE(L"count"), END };
static const struct optdef unpack_opts[] = { VALUE(L"offset"), VALUE(L"encoding"), VALUE(L"watch"), VALUE(L"count"), END };
static const struct optdef hold_opts[] = {
    FLAG(L"readonly"), FLAG(L"signal"), FLAG(L"stdin"), VALUE(L"for"), VALUE(L"timeout"), END };
static const struct optdef lock_opts[] = {
    VALUE(L"timeout"), VALUE(L"for"), FLAG(L"stdin"), VALUE(L"offset"), VALUE(L"text"), VALUE(L"hex"),
    END };
static const struct optdef none_opts[] = { END };
static const struct optdef wait_opts[] = { VALUE(L"timeout"), END };
static const struct optdef copy_opts[] = { VALUE(L"offset"), VALUE(L"count"), FLAG(L"quiet"), END };
static const struct optdef incr_opts[] = {
    VALUE(L"count"), VALUE(L"offset"), VALUE(L"timeout"), FLAG(L"no-lock"), END };
static const struct optdef pingpong_opts[] = { VALUE(L"role"), VALUE(L"rounds"), VALUE(L"timeout"), END };

static const struct command commands[] =
{
    { L"create", NULL, 2, 2, FALSE, create_opts,
      L"create NAME SIZE [--sddl SDDL] [data options] [--no-hold | hold options]",
      L"create a new region, optionally write data into it, and hold it",
      L"Creates a new page-file-backed region NAME of SIZE bytes (64K, 16M, 5G, 0x10000 ...). It fails\n"
      L"(exit 4) if the name exists: create never opens an existing region. A region lives as long as some\n"
      L"process holds it, so create then holds it, and prints 'holding ...' when it is ready.\n\n"
      L"  --sddl SDDL      a security descriptor for the region, e.g. \"D:P(A;;GA;;;OW)\" (owner only)\n"
      DATA_HELP
      L"  --no-hold        exit at once (the region goes away unless another process has it open)\n\n"
      HOLD_HELP,
      cmd_create },
    { L"info", L"open", 1, 1, FALSE, info_opts,
      L"info NAME [--readonly]",
      L"open a region by name and print its name, size and access",
      L"Opens an existing region (made by srclient, a script, or any program that created a named file\n"
      L"mapping) and prints its kernel name, its size as Windows reports it (page-rounded), and the\n"
      L"access. Exit 3 if no region has that name.\n\n"
      L"  --readonly       open it read-only\n",
      cmd_info },
    { L"write", NULL, 1, 2, FALSE, write_opts,
      L"write NAME [TEXT] [--offset N] [--text TEXT | --hex HEX | --file PATH | --int32 N]",
      L"write text, hex bytes, a file or an integer into a region",
      L"Writes into an existing region. TEXT may be given as the second argument or with --text.\n\n"
      DATA_HELP,
      cmd_write },
    { L"read", NULL, 1, 1, FALSE, read_opts,
      L"read NAME [--offset N] [--count N] [--encoding E] [--raw | --out FILE]",
      L"read text (up to the first NUL), or raw bytes to stdout or a file",
      L"Without --raw or --out: prints the text at --offset up to the first NUL (or --count bytes),\n"
      L"decoded as --encoding (utf-8 default, or utf-16). Invalid UTF-8 is an error, not garbage.\n"
      L"With --raw: writes --count bytes (default: to the end of the region) to stdout unchanged.\n"
      L"With --out FILE: writes them to FILE instead.\n",
      cmd_read },
    { L"dump", NULL, 1, 1, FALSE, dump_opts,
      L"dump NAME [--offset N] [--count N]",
      L"hex dump with offsets",
      L"Prints --count bytes (default 256, cut at the end of the region) from --offset as lines of\n"
      L"16 bytes: offset, hex bytes, and the printable ASCII characters.\n",
      cmd_dump },
    { L"peek", NULL, 2, 2, FALSE, peek_opts,
      L"peek NAME TYPE [--offset N] [--count N]",
      L"read typed numbers (Int8 ... UInt64, Single, Double)",
      L"Prints the TYPE value at --offset (default 0), exactly as a script reads it. TYPE is Int8, UInt8,\n"
      L"Int16, UInt16, Int32, UInt32, Int64, UInt64, Single or Double (any case), or a struct code (b B h H\n"
      L"i I q Q f d). With --count N: N consecutive values, one per line after its offset. 64-bit values\n"
      L"beyond 2^53 print exactly.\n",
      cmd_peek },
    { L"unpack", NULL, 2, 2, FALSE, unpack_opts,
      L"unpack NAME FORMAT [--offset N] [--encoding E] [--watch INTERVAL [--count N]]",
      L"decode a struct with a Python struct format, once or live",
      L"Decodes the struct at --offset laid out by FORMAT (Python's struct language, e.g. \"<IfhHq33w64s\":\n"
      L"prefixes @ = < > !, counts, codes x c b B ? h H i I l L q Q n N e f d s p P, and Nw for wchar_t[N])\n"
      L"and prints one field per line: its number, then its value. --encoding E decodes s and p fields\n"
      L"(utf-8 default, utf-16, ansi, oem, ascii, latin-1, cpNNN).\n"
      L"--watch INTERVAL decodes it again every INTERVAL (e.g. 500ms) under a \"frame N\" line, until Ctrl+C,\n"
      L"or until --count N frames are printed.\n",
      cmd_unpack },
    { L"fill", NULL, 2, 2, FALSE, fill_opts,
      L"fill NAME VALUE [--offset N] [--count N]",
      L"set bytes to one value",
      L"Sets --count bytes (default: to the end of the region) at --offset to VALUE (0..255, or 0x00..0xff).\n",
      cmd_fill },
    { L"hold", NULL, 1, 1, FALSE, hold_opts,
      L"hold NAME [--readonly] [--signal] [--stdin] [--for DUR | --timeout DUR]",
      L"keep an existing region alive until released",
      L"Opens an existing region and keeps it open, so it survives its creator. Prints 'holding ...'.\n\n"
      L"  --readonly       open it read-only\n"
      HOLD_HELP,
      cmd_hold },
    { L"lock", NULL, 1, 1, TRUE, lock_opts,
      L"lock NAME [--timeout DUR] [--text TEXT | --hex HEX] [--offset N] [--for DUR | --stdin | -- COMMAND ARGS...]",
      L"take the region's cross-process lock, hold it, release it",
      L"Takes the region's lock (a named mutex beside the region), waiting up to --timeout (default: for\n"
      L"ever; exit 5 on timeout), prints 'locked ...', optionally writes --text or --hex through a view,\n"
      L"then holds the lock:\n"
      L"  --for DUR        for this long, or\n"
      L"  -- COMMAND ...   while COMMAND runs (srclient then exits with COMMAND's exit code), or\n"
      L"  --stdin          until a key is pressed or stdin ends (the default).\n"
      L"and then unlocks.\n\n"
      L"A lock belongs to the thread that took it, inside the process that took it. No other process\n"
      L"can release it: it is released when this command unlocks, or when this process ends. If the\n"
      L"process ends without unlocking (killed, crashed), the next Lock succeeds and reports it as\n"
      L"abandoned (LockAbandoned), and this command prints a note saying so.\n",
      cmd_lock },
    { L"unlock", NULL, 1, 1, FALSE, none_opts,
      L"unlock NAME",
      L"release the lock (only the holder can: shows the ownership rule)",
      L"Calls Unlock. A lock belongs to the thread that took it, so from a new process this always fails\n"
      L"with the server's 'does not hold the region's lock' error (exit 1). To release a lock, end the\n"
      L"'srclient lock' that holds it (its --for time, its command, a key, or stdin closing).\n",
      cmd_unlock },
    { L"signal", NULL, 1, 1, FALSE, none_opts,
      L"signal NAME",
      L"set the region's signal (wakes one waiter)",
      L"Sets the region's auto-reset event: one process waiting in 'srclient wait', 'hold --signal' or a\n"
      L"script's WaitSignal wakes up. A signal with no waiter stays set until someone waits.\n",
      cmd_signal },
    { L"wait", NULL, 1, 1, FALSE, wait_opts,
      L"wait NAME [--timeout DUR]",
      L"wait for the region's signal",
      L"Waits for the region's signal, up to --timeout (default: for ever). Exit 0 when signalled,\n"
      L"5 on timeout.\n",
      cmd_wait },
    { L"copy-file", NULL, 2, 2, FALSE, copy_opts,
      L"copy-file (FILE region:NAME | region:NAME FILE) [--offset N] [--count N] [--quiet]",
      L"copy a file into a region, or region bytes into a file",
      L"Copies a whole file into an existing region at --offset (it must fit), or --count bytes (default:\n"
      L"to the end of the region, which Windows rounds up to a page) out of a region into a file. Files\n"
      L"of 8 MiB or more get a progress line on stderr unless --quiet.\n",
      cmd_copy_file },
    { L"incr", NULL, 1, 1, FALSE, incr_opts,
      L"incr NAME [--count N] [--offset N] [--timeout DUR] [--no-lock]",
      L"increment a 32-bit counter N times, each under the lock",
      L"Each increment takes the lock, reads the int32 at --offset, writes it back plus one, and unlocks.\n"
      L"--count (default 1), --timeout per Lock (default 30s; exit 5). --no-lock skips the lock (to see\n"
      L"lost updates when several processes race).\n",
      cmd_incr },
    { L"pingpong", NULL, 2, 2, FALSE, pingpong_opts,
      L"pingpong PING_REGION PONG_REGION --role ping|pong [--rounds N] [--timeout DUR]",
      L"measure signal round trips between two processes",
      L"Run once with --role pong and once with --role ping, on the same two existing regions. Each round\n"
      L"ping writes the round number into PING_REGION and signals it; pong wakes, checks the number, writes\n"
      L"it into PONG_REGION and signals that; ping wakes and checks it. One event per direction, so no\n"
      L"process ever consumes its own signal. --rounds (default 1000), --timeout per wait (default 10s):\n"
      L"a wait that times out is a lost wake-up (exit 5).\n",
      cmd_pingpong },
};

static const struct command *find_command(const WCHAR *name)
{
    size_t i;
    for (i = 0; i < ARRAY_SIZE(commands); i++)
        if (!wcscmp(commands[i].name, name) || (commands[i].alias && !wcscmp(commands[i].alias, name)))
            return &commands[i];
    return NULL;
}

static void print_overview(void)
{
    size_t i;
    out(L"srclient: SharedRegion from the command line (named shared memory between processes)\n\n"
        L"usage: srclient COMMAND [ARGS] [OPTIONS]      srclient COMMAND --help\n\ncommands:\n");
    for (i = 0; i < ARRAY_SIZE(commands); i++)
        out(L"  %-10ls %ls\n", commands[i].name, commands[i].summary);
    out(L"\nNumbers (offsets, sizes, counts) are decimal or 0x hex, with an optional K, M, G or T (x1024).\n"
        L"Durations are milliseconds, or a number with ms, s, m or h; 'infinite' waits for ever.\n"
        L"A NAME without a prefix is in the session namespace (Local\\); Global\\NAME needs a privilege.\n\n"
        L"exit codes:\n"
        L"  0  ok                     4  already exists (create)\n"
        L"  1  other failure          5  timeout (lock, wait, hold --timeout, pingpong)\n"
        L"  2  usage error            6  bad argument (bad number, bad hex, offset past the end, bad text)\n"
        L"  3  not found (no region   7  access denied\n"
        L"     or file of that name)\n"
        L"Errors print the server's description of what went wrong on stderr.\n");
}

static void print_help(const struct command *c)
{
    out(L"usage: srclient %ls\n\n%ls%ls%ls%ls\n\n%ls", c->synopsis, c->summary, c->alias ? L" (also: " : L"",
        c->alias ? c->alias : L"", c->alias ? L")" : L"", c->help);
}

static BOOL is_help(const WCHAR *s)
{
    return !wcscmp(s, L"--help") || !wcscmp(s, L"-h") || !wcscmp(s, L"/?");
}

static int parse_args(int argc, WCHAR **argv, struct args *a)
{
    int i;

    for (i = 2; i < argc; i++)
    {
        const WCHAR *s = argv[i];
        if (!wcscmp(s, L"--"))
        {
            if (!a->cmd->takes_command) return usage_error(a, L"'--' is not used by this command");
            a->rest_argc = argc - i - 1;
            a->rest_argv = argv + i + 1;
            if (!a->rest_argc) return usage_error(a, L"'--' must be followed by a command");
            break;
        }
        if (s[0] == '-' && s[1] == '-' && s[2])
        {
            WCHAR name[64];
            const WCHAR *eq = wcschr(s + 2, '='), *value = NULL;
            size_t len = eq ? (size_t)(eq - (s + 2)) : wcslen(s + 2);
            int k;

            if (len >= ARRAY_SIZE(name)) return usage_error(a, L"unknown option '%ls'", s);
            memcpy(name, s + 2, len * sizeof(WCHAR));
            name[len] = 0;
            if ((k = opt_index(a->cmd, name)) < 0) return usage_error(a, L"unknown option '--%ls'", name);
            if (a->cmd->opts[k].has_value)
            {
                if (eq) value = eq + 1;
                else if (i + 1 < argc) value = argv[++i];
                else return usage_error(a, L"--%ls needs a value", name);
            }
            else if (eq) return usage_error(a, L"--%ls takes no value", name);
            if (a->set[k]) return usage_error(a, L"--%ls is given twice", name);
            a->set[k] = TRUE;
            a->value[k] = value;
            continue;
        }
        if (a->npos >= a->cmd->max_pos) return usage_error(a, L"unexpected argument '%ls'", s);
        a->pos[a->npos++] = s;
    }
    if (a->npos < a->cmd->min_pos) return usage_error(a, L"missing arguments");
    return RC_OK;
}

int wmain(int argc, WCHAR **argv)
{
    struct args a;
    HRESULT hr;
    int rc, i;

    memset(&a, 0, sizeof(a));
    if (argc < 2) return usage_error(NULL, L"no command given");
    if (is_help(argv[1]) || !wcscmp(argv[1], L"help"))
    {
        const struct command *c = argc > 2 ? find_command(argv[2]) : NULL;
        if (argc > 2 && !c) return usage_error(NULL, L"unknown command '%ls'", argv[2]);
        if (c) print_help(c); else print_overview();
        return RC_OK;
    }
    if (!(a.cmd = find_command(argv[1]))) return usage_error(NULL, L"unknown command '%ls'", argv[1]);
    for (i = 2; i < argc && wcscmp(argv[i], L"--"); i++)
        if (is_help(argv[i])) { print_help(a.cmd); return RC_OK; }
    if ((rc = parse_args(argc, argv, &a))) return rc;

    if (FAILED(hr = CoInitializeEx(NULL, COINIT_MULTITHREADED)))
    {
        err(L"srclient: COM could not start (0x%08lx)\n", (unsigned long)hr);
        return RC_FAIL;
    }
    rc = a.cmd->run(&a);
    CoUninitialize();
    return rc;
}
