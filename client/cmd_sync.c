/*
 * srclient: the synchronisation commands, for the region's lock and its signal between processes.
 *
 *   srclient lock NAME [--timeout DUR] [--text TEXT | --hex HEX] [--offset N]
 *                      [--for DUR | --stdin | -- COMMAND ARGS...]
 *     Takes the region's lock (exit 5 when --timeout passes first), notes a lock its previous
 *     owner abandoned, can write --text or --hex through a view, then holds the lock for --for,
 *     while COMMAND runs (and exits with COMMAND's exit code), or until a key or the end of stdin,
 *     and unlocks.
 *
 *   srclient unlock NAME
 *     Calls Unlock from a new process, where it fails as it must: a lock belongs to the region
 *     object that took it (a lock keeper thread holds the mutex for it), not to a thread, and
 *     only that object's Unlock, Close or final Release gives it back. It says how to release it.
 *
 *   srclient signal NAME
 *   srclient wait NAME [--timeout DUR]
 *     Sets the region's auto-reset event (one waiter wakes; with none, it stays set for the next),
 *     and waits for it (exit 5 on timeout).
 *
 *   srclient incr NAME [--count N] [--offset N] [--timeout DUR] [--no-lock]
 *     Increments the int32 at --offset N times, each under the lock (--no-lock: without it, to
 *     show lost updates when processes race).
 *
 *   srclient pingpong PING_REGION PONG_REGION --role ping|pong [--rounds N] [--timeout DUR]
 *     Signal round trips between two processes, one event per direction; a wait that times out
 *     is a lost wake-up (exit 5).
 */
#include "srclient.h"

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

int cmd_lock(struct args *a)
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

int cmd_unlock(struct args *a)
{
    ISharedRegion *r;
    HRESULT hr;
    int rc;

    if ((rc = open_named(a, a->pos[0], 0, &r))) return rc;
    if (FAILED(hr = ISharedRegion_Unlock(r)))
    {
        rc = REGION_FAIL(a, hr, r, L"Unlock");
        if (hr == HRESULT_FROM_WIN32(ERROR_NOT_OWNER))
            err(L"srclient unlock: a lock belongs to the region object that took it, and only Unlock, Close or "
                L"the final Release of that object, in its own process, gives it back; end the process that "
                L"holds it (its 'srclient lock' command) to release it\n");
    }
    else
        out(L"unlocked\n");
    ISharedRegion_Release(r);
    return rc;
}

int cmd_signal(struct args *a)
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

int cmd_wait(struct args *a)
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

int cmd_incr(struct args *a)
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

int cmd_pingpong(struct args *a)
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
