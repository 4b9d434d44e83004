/*
 * Holding a region open (create, hold): until the region is signalled (--signal), a key is pressed
 * or stdin ends (--stdin, the default), for a fixed time (--for), or until --timeout gives up with
 * exit 5. It prints "holding NAME until ..." when the region is ready, and "released NAME: why"
 * at the end. The stdin watch also serves lock --stdin.
 */
#include "srclient.h"

HANDLE stdin_event;
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

BOOL start_stdin_watch(void)
{
    HANDLE t;
    if (!(stdin_event = CreateEventW(NULL, TRUE, FALSE, NULL))) return FALSE;
    if (!(t = CreateThread(NULL, 0, stdin_thread, NULL, 0, NULL))) return FALSE;
    CloseHandle(t);
    return TRUE;
}

int parse_hold(const struct args *a, struct hold *h)
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
int hold_region(const struct args *a, ISharedRegion *r, const struct hold *h)
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
