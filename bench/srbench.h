/*
 * srbench's private header: what its files share.
 *   srbench.c  the command line: which measure to run
 *   timing.c   the clock, failing loudly, run_pair, the statistics, the ROW lines
 *   objects.c  regions, raw mappings, buffers and Byte() arrays for the measures
 *   copy.c     bulk, zerocopy, scaling (rows 1, 2, 8)
 *   calls.c    small, late, typed (rows 3, 4, 9)
 *   sync.c     lock, pingpong (rows 3k, 6)
 *   mapping.c  naive, scan (rows 5, 7)
 *   live.c     live (rows 10s, 10m, 10l, 10w, 10t)
 */
#ifndef SRBENCH_H
#define SRBENCH_H

#define COBJMACROS
#include <windows.h>
#include <ole2.h>
#include <oleauto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "sharedregion.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define KIB ((ULONGLONG)1 << 10)
#define MIB ((ULONGLONG)1 << 20)
#define GIB ((ULONGLONG)1 << 30)
#define MAX_REPS 31

/* ---- timing.c ---- */

extern int reps;
extern double qpc_freq;
extern volatile LONG sink;   /* results go here so that no loop is optimized away */

double now(void);
void die(const char *what, HRESULT hr);

#define CHECK(expr) do { HRESULT hr_ = (expr); if (FAILED(hr_)) die(#expr, hr_); } while (0)
#define CHECK_WIN32(ok, what) do { if (!(ok)) die(what, HRESULT_FROM_WIN32(GetLastError())); } while (0)

int cmp_double(const void *a, const void *b);
double median(const double *v, int n);
double min_of(const double *v, int n);
double max_of(const double *v, int n);
void row(const char *id, const char *measure, double ratio, const char *cmp, double target,
         const char *fmt, ...);

/* Time side a and side b, warm-up first, then reps repetitions in alternating order. */
typedef double (*sample_fn)(void *ctx);

void run_pair(sample_fn a, void *actx, sample_fn b, void *bctx, double *ta, double *tb);

/* ---- objects.c ---- */

VARIANT missing(void);
VARIANT vnum(double d);
ISharedRegion *new_region(void);
ISharedRegion *create_region(const WCHAR *name, ULONGLONG size);
const WCHAR *bench_name(const WCHAR *stem, WCHAR *buf, size_t len);
BYTE *map_raw(const WCHAR *name, ULONGLONG offset, ULONGLONG size, HANDLE *section);
BYTE *alloc_buffer(ULONGLONG size);
VARIANT byte_array(const BYTE *bytes, ULONGLONG n);
const char *size_text(ULONGLONG n, char *buf);

/* ---- calls.c: a read into a reused Byte() against memcpy, which live.c's rows use too ---- */

struct typed
{
    ISharedRegion *region;
    BYTE *raw;               /* the same section, mapped directly */
    BYTE *buf;               /* the raw side's reused buffer */
    SAFEARRAY *sa;           /* the SharedRegion side's reused Byte() */
    VARIANT ref;             /* VT_BYREF | VT_ARRAY | VT_UI1 to sa, as VBA and VBScript pass a variable */
    ULONGLONG span, block;   /* block bytes per call, at offsets moving through span bytes */
    ULONG calls;
};

double into_sr(void *p);     /* calls ReadInto(block bytes) into ref */
double into_raw(void *p);    /* calls memcpy of block bytes from raw into buf */

/* ---- the measures: copy.c, calls.c, sync.c, mapping.c, live.c ---- */

void bench_bulk(void);
void bench_zerocopy(void);
void bench_scaling(void);
void bench_small(void);
void bench_late(void);
void bench_typed(void);
void bench_lock(void);
void bench_pingpong(void);
int pingpong_child(DWORD parent, ULONG trips);
void bench_naive(void);
void bench_scan(const WCHAR *path);
void bench_live(void);

#endif /* SRBENCH_H */
