/*
 * srclient's private header: what its files share. Each file below is one concern, and its
 * declarations come in a section of their own:
 *   srclient.c     the command table, the argument parser and wmain
 *   output.c       text and raw bytes to stdout and stderr
 *   errors.c       usage and argument errors, COM errors and exit codes
 *   numbers.c      numbers, durations and hex bytes from the command line
 *   objects.c      the SharedRegion object: making, opening, VARIANTs, bytes
 *   dataopts.c     the data options of create, write and lock; file copies
 *   holding.c      holding a region until it is released
 *   cmd_regions.c  create, info, hold
 *   cmd_data.c     write, read, dump, fill, copy-file
 *   cmd_live.c     peek, unpack (--watch)
 *   cmd_sync.c     lock, unlock, signal, wait, incr, pingpong
 */
#ifndef SRCLIENT_H
#define SRCLIENT_H

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

/* ---- srclient.c: the command table ---- */

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

BOOL has(const struct args *a, const WCHAR *name);
const WCHAR *get(const struct args *a, const WCHAR *name);

/* The commands, one family per file: cmd_regions.c, cmd_data.c, cmd_live.c, cmd_sync.c. */
int cmd_create(struct args *a);
int cmd_info(struct args *a);
int cmd_hold(struct args *a);
int cmd_write(struct args *a);
int cmd_read(struct args *a);
int cmd_dump(struct args *a);
int cmd_fill(struct args *a);
int cmd_copy_file(struct args *a);
int cmd_peek(struct args *a);
int cmd_unpack(struct args *a);
/* A decoded value as text: numbers in the shortest form that reads back the same, exact Decimals,
 * True/False, strings in double quotes (cmd_live.c). */
void format_value(const VARIANT *v, WCHAR *buf, size_t len);
int cmd_watch(struct args *a);
int cmd_lock(struct args *a);
int cmd_unlock(struct args *a);
int cmd_signal(struct args *a);
int cmd_wait(struct args *a);
int cmd_incr(struct args *a);
int cmd_pingpong(struct args *a);

/* ---- output.c ---- */

void out(const WCHAR *fmt, ...);
void err(const WCHAR *fmt, ...);
BOOL out_raw(const void *data, DWORD n);
const WCHAR *human_size(ULONGLONG n, WCHAR *buf, size_t len);

/* ---- errors.c ---- */

int usage_error(const struct args *a, const WCHAR *fmt, ...);
int bad_arg(const struct args *a, const WCHAR *fmt, ...);
int com_fail(const struct args *a, HRESULT hr, void *obj, REFIID iid, const WCHAR *what);

#define REGION_FAIL(a, hr, r, what) com_fail(a, hr, r, &IID_ISharedRegion, what)

/* ---- numbers.c ---- */

BOOL parse_size(const WCHAR *s, ULONGLONG *out);
const WCHAR *parse_hex(const WCHAR *s, BYTE **bytes, ULONG *count, WCHAR *why, size_t why_len);
int arg_size(const struct args *a, const WCHAR *opt, ULONGLONG def, ULONGLONG *out);
int arg_duration(const struct args *a, const WCHAR *opt, LONG def, LONG *out);
int offset_opt(const struct args *a, ULONGLONG *off);

/* ---- objects.c ---- */

VARIANT v_missing(void);
VARIANT v_num(double d);
VARIANT v_bool(BOOL b);
VARIANT v_str(const WCHAR *s);
int create_object(const struct args *a, ISharedRegion **r);
int open_named(const struct args *a, const WCHAR *name, int access, ISharedRegion **out);
BSTR region_name(ISharedRegion *r);
ULONGLONG region_size(ISharedRegion *r);
HRESULT write_bytes(ISharedRegion *r, ULONGLONG offset, const BYTE *data, ULONG n);
HRESULT view_write_bytes(ISharedView *view, ULONGLONG offset, const BYTE *data, ULONG n);
HRESULT read_bytes(ISharedRegion *r, ULONGLONG offset, ULONG n, BYTE *buf);

/* ---- dataopts.c ---- */

struct payload
{
    enum { DATA_NONE, DATA_TEXT, DATA_HEX, DATA_FILE, DATA_INT32 } kind;
    const WCHAR *text;
    BYTE *bytes;          /* hex */
    ULONG count;
    const WCHAR *path;
    LONG int32;
};

int parse_payload(const struct args *a, const WCHAR *positional_text, struct payload *p);
void free_payload(struct payload *p);
int file_to_region(const struct args *a, ISharedRegion *r, const WCHAR *path, ULONGLONG offset,
                   BOOL quiet, ULONGLONG *copied);
int region_to_file(const struct args *a, ISharedRegion *r, ULONGLONG offset, ULONGLONG count,
                   const WCHAR *path, BOOL quiet);
int write_payload(const struct args *a, ISharedRegion *r, const struct payload *p, ULONGLONG offset);

/* ---- holding.c ---- */

struct hold
{
    BOOL signal, stdin_watch;
    LONG for_ms, timeout_ms;       /* -1: none */
};

extern HANDLE stdin_event;

BOOL start_stdin_watch(void);
int parse_hold(const struct args *a, struct hold *h);
int hold_region(const struct args *a, ISharedRegion *r, const struct hold *h);

#endif /* SRCLIENT_H */
