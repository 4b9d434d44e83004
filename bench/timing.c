/*
 * srbench's timing and statistics, shared by every measure: the clock (QueryPerformanceCounter),
 * failing loudly, run_pair (a warm-up of each side, then the repetitions in alternating order),
 * median, min and max of the repetitions, and row(), the one line per figure that bench/run reads.
 */
#include "srbench.h"

int reps = 7;
double qpc_freq;
volatile LONG sink;   /* results go here so that no loop is optimized away */

double now(void)
{
    LARGE_INTEGER c;
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart / qpc_freq;
}

/* ---- failing loudly: a benchmark that cannot do its work prints why and stops ---- */

void die(const char *what, HRESULT hr)
{
    IErrorInfo *info = NULL;
    BSTR desc = NULL;

    if (GetErrorInfo(0, &info) == S_OK && info)
    {
        IErrorInfo_GetDescription(info, &desc);
        IErrorInfo_Release(info);
    }
    fprintf(stderr, "srbench: %s failed: hr %#lx%s%ls\n", what, (unsigned long)hr, desc ? ": " : "",
            desc ? desc : L"");
    SysFreeString(desc);
    exit(2);
}

/* ---- statistics ---- */

int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double median(const double *v, int n)
{
    double s[MAX_REPS];
    memcpy(s, v, n * sizeof(*v));
    qsort(s, n, sizeof(*s), cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

double min_of(const double *v, int n)
{
    double m = v[0];
    int i;
    for (i = 1; i < n; i++) if (v[i] < m) m = v[i];
    return m;
}

double max_of(const double *v, int n)
{
    double m = v[0];
    int i;
    for (i = 1; i < n; i++) if (v[i] > m) m = v[i];
    return m;
}

/* One figure for bench/run. target < 0 (cmp "-"): reported without a target. */
void row(const char *id, const char *measure, double ratio, const char *cmp, double target,
                const char *fmt, ...)
{
    char detail[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    printf("ROW|%s|%s|%.3f|%s|%g|%s\n", id, measure, ratio, cmp, target, detail);
    fflush(stdout);
}

void run_pair(sample_fn a, void *actx, sample_fn b, void *bctx, double *ta, double *tb)
{
    int i;

    a(actx);
    b(bctx);
    for (i = 0; i < reps; i++)
    {
        if (i % 2) { tb[i] = b(bctx); ta[i] = a(actx); }
        else       { ta[i] = a(actx); tb[i] = b(bctx); }
    }
}
