/*
 * SharedRegion benchmarks. Every figure is a RATIO of two ways of doing the same work on the
 * same machine in the same run: the two sides are timed one after the other, in alternating
 * order, after one untimed warm-up of each, and the whole pair is repeated; the figure is the
 * median of the per-repetition ratios (the spread, min..max, goes in the detail column).
 *
 * Usage: srbench.exe MEASURE [-r REPS] [-f FILE]
 *   bulk      ReadBytes/WriteBytes (vtable) vs memcpy on a raw view of the same section
 *   zerocopy  ISharedViewMemory::GetAddress + memcpy vs memcpy on a raw view
 *   small     ReadInt32 (vtable) vs get_Access, the cheapest call the object has
 *   late      IDispatch::Invoke of ReadInt32 vs Invoke of Scripting.Dictionary's Count
 *   naive     ReadBytes of 4 KiB vs open/map/copy/unmap/close under a named mutex per call
 *   pingpong  Signal/WaitSignal vs SetEvent/WaitForSingleObject between two processes
 *   scan      sequential ReadInto (and ReadBytes) of 1 MiB over a 16 GiB sparse file vs a MapViewOfFile loop
 *             (FILE: the sparse file to create and delete), and the most address space mapped
 *   scaling   ReadBytes/WriteBytes throughput with 2 threads on separate views vs 1 thread
 *   typed     ReadInto of 1 MiB into a reused Byte() vs memcpy on a raw view; ReadSingle vs ReadInt32
 *   live      Snapshot (4 KiB under "seq:0" vs ReadInto; 1 MiB vs memcpy), WaitChange's wake-up latency
 *             vs WaitSignal's and its CPU time while it waits, torn frames with and without a guard
 * Output: one line per figure for bench/run: "ROW|id|measure|ratio|cmp|target|detail"
 * (cmp ">=", "<=" or "-" when the figure is reported without a target).
 * Nothing here asserts a time: the figures are reported, bench/run compares them to targets.
 *
 * This file: the command line and the measure it runs. The measures are in copy.c (bulk,
 * zerocopy, scaling), calls.c (small, late, typed), sync.c (lock, pingpong), mapping.c (naive,
 * scan) and live.c (live); timing.c times and summarises them, objects.c makes what they measure; srbench.h lists
 * what the files share.
 */
#include "srbench.h"

/* ==== main ==== */

int wmain(int argc, WCHAR **argv)
{
    const WCHAR *measure = argc > 1 ? argv[1] : L"", *file = NULL;
    LARGE_INTEGER f;
    int i, rc = 0;

    QueryPerformanceFrequency(&f);
    qpc_freq = (double)f.QuadPart;
    for (i = 2; i < argc; i++)
    {
        if (!wcscmp(argv[i], L"-r") && i + 1 < argc) reps = _wtoi(argv[++i]);
        else if (!wcscmp(argv[i], L"-f") && i + 1 < argc) file = argv[++i];
    }
    if (reps < 1) reps = 1;
    if (reps > MAX_REPS) reps = MAX_REPS;

    /* Late binding runs in a single-threaded apartment, as scripts do, so that the Dictionary
     * (an apartment-threaded class) is called directly and not through a proxy. */
    CHECK(CoInitializeEx(NULL, wcscmp(measure, L"late") ? COINIT_MULTITHREADED : COINIT_APARTMENTTHREADED));
    if (!wcscmp(measure, L"bulk")) bench_bulk();
    else if (!wcscmp(measure, L"zerocopy")) bench_zerocopy();
    else if (!wcscmp(measure, L"small")) bench_small();
    else if (!wcscmp(measure, L"lock")) bench_lock();
    else if (!wcscmp(measure, L"late")) bench_late();
    else if (!wcscmp(measure, L"naive")) bench_naive();
    else if (!wcscmp(measure, L"pingpong")) bench_pingpong();
    else if (!wcscmp(measure, L"pingpong-child") && argc > 3)
        rc = pingpong_child((DWORD)wcstoul(argv[2], NULL, 10), (ULONG)wcstoul(argv[3], NULL, 10));
    else if (!wcscmp(measure, L"scan")) bench_scan(file);
    else if (!wcscmp(measure, L"scaling")) bench_scaling();
    else if (!wcscmp(measure, L"typed")) bench_typed();
    else if (!wcscmp(measure, L"live")) bench_live();
    else
    {
        fprintf(stderr, "usage: srbench MEASURE [-r REPS] [-f FILE]\n"
                "  MEASURE: bulk zerocopy small lock late naive pingpong scan scaling typed live\n");
        rc = 2;
    }
    CoUninitialize();
    return rc;
}
