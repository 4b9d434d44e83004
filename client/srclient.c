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
 *
 * This file: the command table (each command's synopsis, options and --help text), the argument
 * parser and wmain. The commands themselves are in cmd_regions.c, cmd_data.c, cmd_live.c and
 * cmd_sync.c; srclient.h lists every file and what it shares.
 */
#include "srclient.h"
#include "srversion.h"

/* ---- the options a command was given ---- */

static int opt_index(const struct command *cmd, const WCHAR *name)
{
    int i;
    for (i = 0; cmd->opts[i].name; i++)
        if (!wcscmp(cmd->opts[i].name, name)) return i;
    return -1;
}

BOOL has(const struct args *a, const WCHAR *name)
{
    int i = opt_index(a->cmd, name);
    return i >= 0 && a->set[i];
}

const WCHAR *get(const struct args *a, const WCHAR *name)
{
    int i = opt_index(a->cmd, name);
    return i >= 0 && a->set[i] ? a->value[i] : NULL;
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
static const struct optdef watch_opts[] = {
    VALUE(L"offset"), VALUE(L"guard"), VALUE(L"every"), VALUE(L"change"), FLAG(L"signal"), VALUE(L"count"),
    VALUE(L"duration"), VALUE(L"csv"), VALUE(L"jsonl"), VALUE(L"encoding"), VALUE(L"lock-name"),
    VALUE(L"signal-name"), VALUE(L"stale"), END };
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
    { L"watch", NULL, 2, 2, FALSE, watch_opts,
      L"watch NAME FORMAT [--offset N] [--guard G] [--every DUR | --change OFF[:TYPE] | --signal] [--count N] "
      L"[--duration DUR] [--csv FILE | --jsonl FILE]",
      L"log a publisher's frames, one consistent row each, to CSV or JSON Lines",
      L"Writes one row per frame of the struct at --offset laid out by FORMAT: a time column (UTC, ISO 8601,\n"
      L"milliseconds), then one column per field in format order. A named format (\"<I packetId:I gas:f\n"
      L"wheelSlip:4f\") names the columns (wheelSlip[0] ... for arrays); an unnamed one gives f0, f1, ...\n"
      L"Rows go to stdout as CSV, or to --csv FILE (with a header row) or --jsonl FILE (one JSON object\n"
      L"a line). A row is taken:\n"
      L"  --every DUR      every DUR (default 100ms), or\n"
      L"  --change OFF[:TYPE]  when the number at OFF (TYPE: UInt32 default, or Int8 ... Double, a struct\n"
      L"                   code) changes, or\n"
      L"  --signal         when the region is signalled (--signal-name NAME adopts the publisher's event).\n"
      L"  --guard G        copy each frame as one Snapshot under the publisher's protocol: lock (with\n"
      L"                   --lock-name NAME for the publisher's mutex), seq:OFF[:T], pair:BEGIN,END[:T],\n"
      L"                   tick:OFF[:T]; no row then mixes two writes\n"
      L"  --count N        stop after N rows; --duration DUR: after DUR; Ctrl+C: now (the file is complete)\n"
      L"  --encoding E     for s and p fields (utf-8 default; most publishers' text is ansi or cpNNN)\n"
      L"  --stale DUR      say on stderr when the frame has not changed for DUR (default 2s)\n"
      L"While stderr is a console, a progress line shows the rows, the torn copies retried and the rate.\n",
      cmd_watch },
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
      L"A lock belongs to the region object that took it, inside the process that took it, not to a\n"
      L"thread: a lock keeper thread holds the mutex for the object, so Unlock, Close or the object's\n"
      L"final Release on any thread of that process gives it back, and Locks by the same thread nest.\n"
      L"No other process can release it: it is released when this command unlocks, or when this\n"
      L"process ends. If the process ends without unlocking (killed, crashed), the next Lock succeeds\n"
      L"and reports it as abandoned (LockAbandoned), and this command prints a note saying so.\n",
      cmd_lock },
    { L"unlock", NULL, 1, 1, FALSE, none_opts,
      L"unlock NAME",
      L"release the lock (only the holder can: shows the ownership rule)",
      L"Calls Unlock through a new region object. A lock belongs to the region object that took it (in\n"
      L"its own process, Unlock, Close or the final Release on any thread gives it back), so from a new\n"
      L"process this always fails with the server's 'does not hold the region's lock' error (exit 1).\n"
      L"To release a lock, end the 'srclient lock' that holds it (its --for time, its command, a key,\n"
      L"or stdin closing).\n",
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
    if (!wcscmp(argv[1], L"--version") || !wcscmp(argv[1], L"version"))
    {
        out(L"srclient %ls (SharedRegion)\n", SR_VERSION_WSTRING);
        return RC_OK;
    }
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
