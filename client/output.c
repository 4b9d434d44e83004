/*
 * srclient's output: text to stdout and stderr as UTF-8 (or, on a console, through its own wide
 * API), with CRLF line ends, each piece written at once; raw bytes to stdout for read --raw; and
 * byte counts as text ("64.0 KiB").
 */
#include "srclient.h"

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

void out(const WCHAR *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(STD_OUTPUT_HANDLE, fmt, ap);
    va_end(ap);
}

void err(const WCHAR *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(STD_ERROR_HANDLE, fmt, ap);
    va_end(ap);
}

/* Raw bytes to stdout (read --raw): no conversion at all. */
BOOL out_raw(const void *data, DWORD n)
{
    HANDLE h = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD done;
    return WriteFile(h, data, n, &done, NULL) && done == n;
}

const WCHAR *human_size(ULONGLONG n, WCHAR *buf, size_t len)
{
    static const WCHAR *units[] = { L"bytes", L"KiB", L"MiB", L"GiB", L"TiB" };
    double d = (double)n;
    int u = 0;

    while (d >= 1024 && u < 4) { d /= 1024; u++; }
    if (!u) __mingw_snwprintf(buf, len, L"%llu bytes", n);
    else __mingw_snwprintf(buf, len, L"%.1f %ls", d, units[u]);
    return buf;
}
