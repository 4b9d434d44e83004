/*
 * SharedRegion tests: a script array that claims more elements than it holds, for the suites that check
 * the size and count limits (test_codecs, test_data, test_fuzz). Include after cmocka.h.
 */
#ifndef SHAREDREGION_TESTS_CLAIMED_ARRAY_H
#define SHAREDREGION_TESTS_CLAIMED_ARRAY_H

/* A one-dimensional SAFEARRAY descriptor of vt that claims n elements over the caller's few bytes: what a
 * huge script array looks like to a member, which must refuse it by its count before it reads an element
 * (a read would run past the memory). Free it with SafeArrayDestroyDescriptor. */
static inline SAFEARRAY *claimed_array(VARTYPE vt, ULONG n, void *memory)
{
    SAFEARRAY *sa = NULL;
    assert_int_equal(SafeArrayAllocDescriptorEx(vt, 1, &sa), S_OK);
    sa->fFeatures |= FADF_STATIC; /* its memory is not the array's to free */
    sa->rgsabound[0].cElements = n;
    sa->rgsabound[0].lLbound = 0;
    sa->pvData = memory;
    return sa;
}

#endif
