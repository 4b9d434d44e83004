/*
 * srclient's errors and exit codes: a usage mistake (exit 2, with the command's synopsis), a bad
 * value in an argument (exit 6), and a failed COM call, reported with the server's own sentence
 * (IErrorInfo) or else the system's text for its HRESULT, and turned into the exit code that
 * `srclient --help` lists (1, 3 to 7).
 */
#include "srclient.h"

int usage_error(const struct args *a, const WCHAR *fmt, ...)
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
int bad_arg(const struct args *a, const WCHAR *fmt, ...)
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
int com_fail(const struct args *a, HRESULT hr, void *obj, REFIID iid, const WCHAR *what)
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
