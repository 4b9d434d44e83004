/*
 * SharedRegion server: spans, the mapped memory behind every region and view object.
 *
 * struct sr_span owns one mapped view (MapViewOfFile) and one reference on its mapping; span_unbind
 * unmaps the view and drops the reference. A region object's span is its data window: the whole
 * region, or for a region over 64 MiB a window that slides. A view object's span is the view. Every
 * copy to or from shared memory is made here (span_io), with the state and bounds checked first and
 * the copy guarded against page-in failures (guard.c).
 *
 * A snapshot's span (SPAN_SNAPSHOT) is not mapped memory but the snapshot's private copy: no mapping,
 * one fixed "window" over the copy, read-only. So every data member works on a snapshot unchanged,
 * and every write is refused here with the same words ("a snapshot is read-only").
 */
#include <wchar.h>
#include "private.h"


static DWORD allocation_granularity(void)
{
    static DWORD granularity;
    if (!granularity)
    {
        SYSTEM_INFO si;
        GetSystemInfo(&si);
        granularity = si.dwAllocationGranularity;
    }
    return granularity;
}

/* ---- spans: a mapped view (fixed) or window (sliding) onto a mapping ---- */

void span_init(struct sr_span *span, enum span_kind kind)
{
    memset(span, 0, sizeof(*span));
    InitializeSRWLock(&span->lock);
    span->kind = kind;
}

void span_init_copy(struct sr_span *span, BYTE *copy, ULONGLONG size)
{
    /* Every member by name, with no memset: a snapshot is made as often as a frame is read, and a
     * short memset costs more than these stores. A member added to struct sr_span is set here too. */
    InitializeSRWLock(&span->lock);
    span->kind = SPAN_SNAPSHOT;
    span->map = NULL;
    span->start = 0;
    span->size = size;
    span->access = RegionReadOnly;
    span->sliding = FALSE;
    span->view = NULL;
    span->win = copy;
    span->win_off = 0;
    span->win_len = size;
    span->remaps = 0;
    span->copy = copy;
}

REFIID span_iid(const struct sr_span *span)
{
    switch (span->kind)
    {
    case SPAN_REGION: return &IID_ISharedRegion;
    case SPAN_VIEW:   return &IID_ISharedView;
    default:          return &IID_ISharedSnapshot;
    }
}

/* Mapped (a region or view), or a snapshot's copy: data calls can reach memory. */
static inline BOOL span_bound(const struct sr_span *span)
{
    return span->map || span->copy;
}

ULONGLONG span_size(struct sr_span *span)
{
    ULONGLONG size;
    AcquireSRWLockShared(&span->lock);
    size = span_bound(span) ? span->size : 0;
    ReleaseSRWLockShared(&span->lock);
    return size;
}

const WCHAR *span_noun(const struct sr_span *span)
{
    switch (span->kind)
    {
    case SPAN_REGION: return L"region";
    case SPAN_VIEW:   return L"view";
    default:          return L"snapshot";
    }
}

HRESULT span_closed_error(const struct sr_span *span, const WCHAR *method)
{
    if (span->kind == SPAN_REGION)
        return sr_error(SR_E_NOTOPEN, &IID_ISharedRegion,
                        L"%ls: the region is not open (call Create, Open, OpenOrCreate or OpenFile first)", method);
    return sr_error(SR_E_NOTMAPPED, &IID_ISharedView, L"%ls: the view is not mapped (Unmap was called)", method);
}

/* The checks every data call makes before a byte moves: open, in bounds, writable for a write.
 * The caller holds the span lock (shared or exclusive), and checks again after changing it. */
static HRESULT span_validate(struct sr_span *span, const WCHAR *method, enum span_op op, ULONGLONG offset,
                             ULONGLONG count)
{
    if (!span_bound(span)) return span_closed_error(span, method);
    if (offset > span->size || count > span->size - offset)
    {
        if (count)
            return sr_error(E_INVALIDARG, span_iid(span), L"%ls: offset %I64u + count %I64u is past the end of the %ls (%I64u bytes)",
                            method, offset, count, span_noun(span), span->size);
        return sr_error(E_INVALIDARG, span_iid(span), L"%ls: offset %I64u is past the end of the %ls (%I64u bytes)",
                        method, offset, span_noun(span), span->size);
    }
    /* A snapshot has nothing to write back either: Flush is refused with the writes. */
    if (span->kind == SPAN_SNAPSHOT && (op == SPAN_WRITE || op == SPAN_FILL || op == SPAN_FLUSH))
        return sr_error(E_ACCESSDENIED, span_iid(span), L"%ls: a snapshot is read-only (it is a private copy of the "
                        L"bytes Snapshot took; write to the region or view it came from)", method);
    if ((op == SPAN_WRITE || op == SPAN_FILL) && span->access == RegionReadOnly)
        return sr_error(E_ACCESSDENIED, span_iid(span), L"%ls: the %ls is read-only", method, span_noun(span));
    return S_OK;
}

HRESULT span_check(struct sr_span *span, const WCHAR *method, ULONGLONG offset, ULONGLONG count)
{
    HRESULT hr;

    AcquireSRWLockShared(&span->lock);
    hr = span_validate(span, method, SPAN_READ, offset, count);
    ReleaseSRWLockShared(&span->lock);
    return hr;
}

/* Copy-on-write pages exist only in the one view that holds them, so such a span cannot slide a
 * window: it is mapped whole, and here it does not fit. */
static HRESULT cow_too_large(const struct sr_span *span, const WCHAR *method, ULONGLONG len)
{
    return sr_error(E_OUTOFMEMORY, span_iid(span),
                    L"%ls: a copy-on-write %ls is mapped whole (its private pages live only in that one view), and "
                    L"%I64u bytes do not fit in this process's free address space%ls; open it ReadOnly or ReadWrite "
                    L"(which map a sliding window) instead", method, span_noun(span), len,
                    sizeof(void *) == 4 ? L" (a 32-bit process has 2 to 4 GiB in all)" : L"");
}

/* Map [off, off+len) of the span (span offsets), replacing the current window. Exclusive lock held. */
static HRESULT span_map_window(struct sr_span *span, const WCHAR *method, ULONGLONG off, ULONGLONG len)
{
    static const DWORD map_access[] = { FILE_MAP_WRITE, FILE_MAP_READ, FILE_MAP_COPY };
    ULONGLONG abs = span->start + off;
    ULONGLONG aligned = abs & ~(ULONGLONG)(allocation_granularity() - 1);
    ULONGLONG slack = abs - aligned;
    void *p;

    if (span->view)
    {
        UnmapViewOfFile(span->view);
        span->view = NULL;
        span->win = NULL;
        span->win_len = 0;
    }
    /* A copy-on-write span is mapped whole (span_bind): in a 32-bit process one that does not fit
     * in the free address space is refused with the reason, and the limit is the process's. */
    if (slack + len > (SIZE_T)-1)
    {
        if (span->access == RegionCopyOnWrite)
            return cow_too_large(span, method, len);
        return sr_error(E_OUTOFMEMORY, span_iid(span), L"%ls: %I64u bytes do not fit in the address space", method, len);
    }
    /* A range that ends where the section ends is mapped "to the end" (size 0): a section opened by
     * name is measured page-rounded, and a file-backed one may end inside that last page. */
    p = MapViewOfFile(span->map->section, map_access[span->access], (DWORD)(aligned >> 32), (DWORD)aligned,
                      abs + len == span->map->size ? 0 : (SIZE_T)(slack + len));
    if (!p)
    {
        DWORD err = GetLastError();
        if (span->access == RegionCopyOnWrite && (err == ERROR_NOT_ENOUGH_MEMORY || err == ERROR_OUTOFMEMORY))
            return cow_too_large(span, method, len);
        return sr_win32_error(err, span_iid(span), L"%ls: cannot map %I64u bytes at offset %I64u",
                              method, len, abs);
    }
    span->view = p;
    span->win = (BYTE *)p + slack;
    span->win_off = off;
    span->win_len = len;
    TRACE("mapped %p, %I64u bytes at section offset %I64u", p, slack + len, aligned);
    return S_OK;
}

HRESULT span_bind(struct sr_span *span, const WCHAR *method, struct sr_mapping *map,
                  ULONGLONG start, ULONGLONG size, DWORD access, BOOL allow_sliding)
{
    HRESULT hr;

    mapping_addref(map);
    span->map = map;
    span->start = start;
    span->size = size;
    span->access = access;
    /* Copy-on-write pages are private to the view that wrote them and vanish when it is unmapped,
     * so a copy-on-write span never slides: it is mapped whole, whatever its size. */
    span->sliding = allow_sliding && size > SR_FULLMAP_MAX && access != RegionCopyOnWrite;
    span->remaps = 0;
    if (span->sliding) return S_OK; /* the window is mapped on first use */
    if (FAILED(hr = span_map_window(span, method, 0, size))) span_unbind(span);
    return hr;
}

void span_unbind(struct sr_span *span)
{
    if (span->view)
    {
        TRACE("unmapping %p", span->view);
        UnmapViewOfFile(span->view);
    }
    mapping_release(span->map);
    span->view = NULL;
    span->win = NULL;
    span->win_off = span->win_len = 0;
    span->map = NULL;
    span->size = 0;
    span->access = RegionReadWrite;
}

/* A copy faulted (guard.c): the page could not be read in or written back, and the host lives on. */
static HRESULT span_fault_error(struct sr_span *span, const WCHAR *method, const struct sr_fault *fault)
{
    ULONGLONG at = span->win_off + (fault->address - (ULONG_PTR)span->win);
    const WCHAR *what = span->map && span->map->file ? L"the file behind it was truncated or could not be read"
                                        : L"the memory behind it could not be paged in";

    if (fault->code == EXCEPTION_IN_PAGE_ERROR)
        return sr_error(SR_E_PAGEFAULT, span_iid(span), L"%ls: the %ls's byte at offset %I64u could not be %ls: %ls "
                        L"(in-page error, status %#lx)", method, span_noun(span), at, fault->write ? L"written" : L"read",
                        what, fault->status);
    return sr_error(SR_E_PAGEFAULT, span_iid(span), L"%ls: the %ls's byte at offset %I64u could not be %ls: %ls "
                    L"(access violation)", method, span_noun(span), at, fault->write ? L"written" : L"read", what);
}

/* Do one operation on memory that is mapped now; a page-in failure becomes SR_E_PAGEFAULT. */
static HRESULT span_do(struct sr_span *span, const WCHAR *method, enum span_op op, BYTE *mem,
                       ULONGLONG count, BYTE *buffer, BYTE fill)
{
    struct sr_fault fault;
    BOOL ok = TRUE;

    switch (op)
    {
    case SPAN_READ:  ok = guard_copy(buffer, mem, count, mem, &fault); break;
    case SPAN_WRITE: ok = guard_copy(mem, buffer, count, mem, &fault); break;
    case SPAN_FILL:  ok = guard_fill(mem, fill, count, &fault); break;
    case SPAN_LOAD:
        /* An atomic load needs the address aligned, which the offset alone does not make sure of: a
         * view may start at any byte of the region. */
        if ((ULONG_PTR)mem & (count - 1))
            return sr_error(E_INVALIDARG, span_iid(span), L"%ls: the %I64u-byte counter at offset %I64u of the %ls "
                            L"is not aligned in memory (the %ls starts %Iu bytes past a multiple of %I64u), so it "
                            L"cannot be read in one atomic load", method, count, span->win_off + (mem - span->win),
                            span_noun(span), span_noun(span), (SIZE_T)(((ULONG_PTR)span->win - span->win_off) & (count - 1)),
                            count);
        ok = guard_load(buffer, mem, count, &fault);
        break;
    case SPAN_FLUSH:
        if (span->access != RegionCopyOnWrite && !FlushViewOfFile(mem, count))
            return sr_win32_error(GetLastError(), span_iid(span), L"%ls: cannot flush the %ls", method, span_noun(span));
        break;
    }
    return ok ? S_OK : span_fault_error(span, method, &fault);
}

/* After a flush: for a writable file, the bytes are on disk when Flush returns. */
static HRESULT span_flush_file(struct sr_span *span, const WCHAR *method)
{
    if (span->map->file && span->access == RegionReadWrite && !FlushFileBuffers(span->map->file))
        return sr_win32_error(GetLastError(), span_iid(span), L"%ls: cannot write the file's buffers to disk", method);
    return S_OK;
}

HRESULT span_io(struct sr_span *span, const WCHAR *method, enum span_op op, ULONGLONG offset,
                ULONGLONG count, void *buffer, BYTE fill)
{
    BYTE *buf = buffer;
    HRESULT hr = S_OK;

    AcquireSRWLockShared(&span->lock);
    if (FAILED(hr = span_validate(span, method, op, offset, count))) goto shared_done;
    if (!count) goto shared_done;
    if (span->win && offset >= span->win_off && offset - span->win_off + count <= span->win_len)
    {
        hr = span_do(span, method, op, span->win + (offset - span->win_off), count, buf, fill);
        if (SUCCEEDED(hr) && op == SPAN_FLUSH) hr = span_flush_file(span, method);
        goto shared_done;
    }
    ReleaseSRWLockShared(&span->lock);

    /* A large region whose window must move: one thread at a time. */
    AcquireSRWLockExclusive(&span->lock);
    /* Between the two locks another thread may have closed the object, or bound it to another
     * mapping: everything is checked again against what is bound now. */
    if (FAILED(hr = span_validate(span, method, op, offset, count))) goto exclusive_done;
    while (count)
    {
        ULONGLONG chunk;
        /* An access that fits in one window is moved in one copy: the window moves to where it starts
         * rather than copying the part in the current window first. So only an access larger than a
         * window can stop half done because the next window cannot be mapped. */
        BOOL fits = span->sliding && span->win && count <= SR_WINDOW_SIZE - allocation_granularity()
                    && offset + count > span->win_off + span->win_len;
        if (!span->win || offset < span->win_off || offset >= span->win_off + span->win_len || fits)
        {
            if (!span->sliding)
            {
                /* A fixed span maps all of itself: a validated access cannot fall outside it. */
                hr = sr_error(E_UNEXPECTED, span_iid(span), L"%ls: offset %I64u is outside the mapped %ls",
                              method, offset, span_noun(span));
                break;
            }
            ULONGLONG start = offset & ~(ULONGLONG)(allocation_granularity() - 1);
            ULONGLONG len = span->size - start < SR_WINDOW_SIZE ? span->size - start : SR_WINDOW_SIZE;
            if (FAILED(hr = span_map_window(span, method, start, len))) break;
            span->remaps++;
        }
        chunk = span->win_off + span->win_len - offset;
        if (!chunk)
        {
            hr = sr_error(E_UNEXPECTED, span_iid(span), L"%ls: the window at offset %I64u is empty", method, offset);
            break;
        }
        if (chunk > count) chunk = count;
        if (FAILED(hr = span_do(span, method, op, span->win + (offset - span->win_off), chunk, buf, fill))) break;
        offset += chunk;
        count -= chunk;
        if (buf) buf += chunk;
    }
    if (SUCCEEDED(hr) && op == SPAN_FLUSH) hr = span_flush_file(span, method);
exclusive_done:
    ReleaseSRWLockExclusive(&span->lock);
    return hr;

shared_done:
    ReleaseSRWLockShared(&span->lock);
    return hr;
}

/* ---- reads that belong together, under one hold of the lock ----
 *
 * A guarded snapshot loads its counters, copies the frame and loads the counters again. Through
 * span_io that is four holds of the span's lock and four fault guards, and under Wine a hold costs
 * about as much as copying a few hundred bytes. span_hold takes the lock once, shared, checks state
 * and bounds for [offset, offset+count) as span_io does, and when that range is in the memory mapped
 * now, runs fn. fn may ask span_held_size and span_held_memory, and reads through span_held_run:
 * one fault guard around all of its reads. Nothing can close, re-bind or move the span while fn
 * runs; fn must not call anything that takes the span's lock (span_io, span_size), nor wait: a
 * thread that holds an SRW lock shared and asks for it again can deadlock behind a writer. When the
 * range is not in the memory mapped now (a sliding window that has to move), span_hold answers
 * S_FALSE without running fn, and the caller reads through span_io, which moves the window. */
static BOOL span_in_window(const struct sr_span *span, ULONGLONG offset, ULONGLONG count)
{
    return span->win && offset >= span->win_off && count <= span->win_len
           && offset - span->win_off <= span->win_len - count;
}

HRESULT span_hold(struct sr_span *span, const WCHAR *method, ULONGLONG offset, ULONGLONG count,
                  HRESULT (*fn)(struct sr_span *span, void *context), void *context)
{
    HRESULT hr;

    AcquireSRWLockShared(&span->lock);
    if (SUCCEEDED(hr = span_validate(span, method, SPAN_READ, offset, count)))
        hr = span_in_window(span, offset, count) ? fn(span, context) : S_FALSE;
    ReleaseSRWLockShared(&span->lock);
    return hr;
}

ULONGLONG span_held_size(const struct sr_span *span)
{
    return span->size;
}

const BYTE *span_held_memory(const struct sr_span *span, ULONGLONG offset, ULONGLONG count)
{
    return span_in_window(span, offset, count) ? span->win + (offset - span->win_off) : NULL;
}

HRESULT span_held_run(struct sr_span *span, const WCHAR *method, const BYTE *mem, ULONGLONG count,
                      void (*body)(void *context, const BYTE *mem), void *context)
{
    struct sr_fault fault;

    if (guard_run(body, context, mem, (SIZE_T)count, &fault)) return S_OK;
    return span_fault_error(span, method, &fault);
}
