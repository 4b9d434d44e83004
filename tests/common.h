/*
 * SharedRegion tests: helpers shared by the cmocka suites.
 * Included once per test program (each suite is one .c file and one executable).
 */
#ifndef SHAREDREGION_TESTS_COMMON_H
#define SHAREDREGION_TESTS_COMMON_H

#define COBJMACROS
#include <windows.h>
#include <ole2.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>
#include "sharedregion.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define GIB ((ULONGLONG)1 << 30)
#define MIB ((ULONGLONG)1 << 20)

/* ---- COM set-up for a group: the multithreaded apartment ---- */
static inline int com_setup(void **state)
{
    (void)state;
    return FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED)) ? -1 : 0;
}

static inline int com_teardown(void **state)
{
    (void)state;
    CoUninitialize();
    return 0;
}

/* A name no other test (or run) uses. */
static inline const WCHAR *unique_name(const WCHAR *stem)
{
    static WCHAR buf[8][128];
    static unsigned int n;
    WCHAR *b = buf[n++ % 8];
    swprintf(b, 128, L"sr-test-%ls-%lu-%u", stem, GetCurrentProcessId(), n);
    return b;
}

static inline ISharedRegion *new_region(void)
{
    ISharedRegion *r = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&r);
    assert_int_equal(hr, S_OK);
    assert_non_null(r);
    return r;
}

static inline VARIANT missing(void)
{
    VARIANT v;
    V_VT(&v) = VT_ERROR;
    V_ERROR(&v) = DISP_E_PARAMNOTFOUND;
    return v;
}

static inline VARIANT vnum(double d)
{
    VARIANT v;
    V_VT(&v) = VT_R8;
    V_R8(&v) = d;
    return v;
}

static inline VARIANT vbool(BOOL b)
{
    VARIANT v;
    V_VT(&v) = VT_BOOL;
    V_BOOL(&v) = b ? VARIANT_TRUE : VARIANT_FALSE;
    return v;
}

/* A VT_BSTR variant; its string is freed by VariantClear or leaks harmlessly in a test. */
static inline VARIANT vstr(const WCHAR *s)
{
    VARIANT v;
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(s);
    return v;
}

/* Create a named (or anonymous, name "") region of size bytes; asserts success. */
static inline ISharedRegion *create_region(const WCHAR *name, double size)
{
    ISharedRegion *r = new_region();
    BSTR b = SysAllocString(name);
    HRESULT hr = ISharedRegion_Create(r, b, size, missing());
    SysFreeString(b);
    assert_int_equal(hr, S_OK);
    return r;
}

static inline HRESULT open_region(ISharedRegion *r, const WCHAR *name, int access)
{
    BSTR b = SysAllocString(name);
    HRESULT hr = ISharedRegion_Open(r, b, access < 0 ? missing() : vnum(access));
    SysFreeString(b);
    return hr;
}

/* ---- the rich error of the last failed call ---- */
static WCHAR last_description[1024];

/* Another thread, another object: can it take the region's lock right now? A lock held through
 * one object is refused to every other object, whichever thread asks; a thread of its own asks. */
struct lock_probe { const WCHAR *name; VARIANT_BOOL got; HRESULT hr; };

static inline DWORD WINAPI try_lock_thread(void *arg)
{
    struct lock_probe *p = arg;
    ISharedRegion *r;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    r = new_region();
    p->hr = open_region(r, p->name, -1);
    if (SUCCEEDED(p->hr)) p->hr = ISharedRegion_Lock(r, 0, &p->got);
    if (p->got) ISharedRegion_Unlock(r);
    ISharedRegion_Release(r);
    CoUninitialize();
    return 0;
}

static inline VARIANT_BOOL lock_is_free(const WCHAR *name)
{
    struct lock_probe p = { name, VARIANT_FALSE, E_FAIL };
    HANDLE t = CreateThread(NULL, 0, try_lock_thread, &p, 0, NULL);
    assert_non_null(t);
    assert_int_equal(WaitForSingleObject(t, 30000), WAIT_OBJECT_0);
    CloseHandle(t);
    assert_int_equal(p.hr, S_OK);
    return p.got;
}

static inline const WCHAR *error_description(void)
{
    IErrorInfo *info = NULL;
    BSTR desc = NULL;

    last_description[0] = 0;
    if (GetErrorInfo(0, &info) == S_OK && info)
    {
        if (SUCCEEDED(IErrorInfo_GetDescription(info, &desc)) && desc)
            lstrcpynW(last_description, desc, ARRAY_SIZE(last_description));
        SysFreeString(desc);
        IErrorInfo_Release(info);
    }
    return last_description;
}

/* Assert hr, and that the error description starts with "Method:" (read from IErrorInfo). */
#define assert_error(hr, expected, method) do { \
        HRESULT hr_ = (hr); \
        if (hr_ != (HRESULT)(expected)) \
            fail_msg("%s:%d: hr %#lx, expected %#lx", __FILE__, __LINE__, (unsigned long)hr_, (unsigned long)(expected)); \
        assert_error_text(method); \
    } while (0)

static inline void assert_error_text_impl(const WCHAR *desc, const WCHAR *method, const char *file, int line)
{
    size_t n = wcslen(method);
    if (wcsncmp(desc, method, n) || desc[n] != ':')
        fail_msg("%s:%d: description '%ls' does not name %ls", file, line, desc, method);
}
#define assert_error_text(method) assert_error_text_impl(error_description(), method, __FILE__, __LINE__)

#define assert_wstr_equal(a, b) do { \
        const WCHAR *a_ = (a), *b_ = (b); \
        if (wcscmp(a_, b_)) fail_msg("%s:%d: '%ls' != '%ls'", __FILE__, __LINE__, a_, b_); \
    } while (0)

/* ---- IDispatch by name: the path scripts take ---- */
static WCHAR disp_description[1024];

/* Invoke member `name` with argc VARIANT args in natural order; returns the HRESULT a script
 * sees (the EXCEPINFO scode for DISP_E_EXCEPTION, whose description goes to disp_description). */
static inline HRESULT disp_call(void *obj, const WCHAR *name, WORD flags, VARIANT *result, int argc, ...)
{
    IDispatch *d = obj;
    DISPPARAMS dp = { NULL, NULL, (UINT)argc, 0 };
    VARIANT args[8];
    EXCEPINFO ei;
    DISPID id;
    LPOLESTR n = (LPOLESTR)name;
    UINT argerr = 0;
    va_list ap;
    HRESULT hr;
    int i;

    disp_description[0] = 0;
    hr = IDispatch_GetIDsOfNames(d, &IID_NULL, &n, 1, LOCALE_USER_DEFAULT, &id);
    if (FAILED(hr)) return hr;
    va_start(ap, argc);
    for (i = argc - 1; i >= 0; i--) args[i] = va_arg(ap, VARIANT);
    va_end(ap);
    dp.rgvarg = args;
    memset(&ei, 0, sizeof(ei));
    if (result) VariantInit(result);
    hr = IDispatch_Invoke(d, id, &IID_NULL, LOCALE_USER_DEFAULT, flags, &dp, result, &ei, &argerr);
    if (hr == DISP_E_EXCEPTION)
    {
        if (ei.pfnDeferredFillIn) ei.pfnDeferredFillIn(&ei);
        if (ei.bstrDescription) lstrcpynW(disp_description, ei.bstrDescription, ARRAY_SIZE(disp_description));
        hr = ei.scode ? ei.scode : (HRESULT)ei.wCode;
        SysFreeString(ei.bstrDescription);
        SysFreeString(ei.bstrSource);
        SysFreeString(ei.bstrHelpFile);
    }
    return hr;
}

#define disp_method(obj, name, result, ...) disp_call(obj, name, DISPATCH_METHOD, result, __VA_ARGS__)
#define disp_get(obj, name, result) disp_call(obj, name, DISPATCH_PROPERTYGET, result, 0)

#define assert_disp_error(hr, expected, method) do { \
        HRESULT hr_ = (hr); \
        if (hr_ != (HRESULT)(expected)) \
            fail_msg("%s:%d: hr %#lx, expected %#lx", __FILE__, __LINE__, (unsigned long)hr_, (unsigned long)(expected)); \
        assert_error_text_impl(disp_description, method, __FILE__, __LINE__); \
    } while (0)

/* ---- bytes ---- */

/* A VT_ARRAY|VT_UI1 variant holding n bytes. */
static inline VARIANT byte_array(const void *bytes, ULONG n)
{
    VARIANT v;
    void *p;
    V_VT(&v) = VT_ARRAY | VT_UI1;
    V_ARRAY(&v) = SafeArrayCreateVector(VT_UI1, 0, n);
    SafeArrayAccessData(V_ARRAY(&v), &p);
    memcpy(p, bytes, n);
    SafeArrayUnaccessData(V_ARRAY(&v));
    return v;
}

/* Assert that a ReadBytes result holds exactly these n bytes. */
static inline void assert_bytes_impl(VARIANT *v, const void *bytes, ULONG n, const char *file, int line)
{
    LONG lo = 0, hi = -1;
    void *p;
    if (V_VT(v) != (VT_ARRAY | VT_UI1)) fail_msg("%s:%d: vt %#x, expected VT_ARRAY|VT_UI1", file, line, V_VT(v));
    SafeArrayGetLBound(V_ARRAY(v), 1, &lo);
    SafeArrayGetUBound(V_ARRAY(v), 1, &hi);
    if ((ULONG)(hi - lo + 1) != n) fail_msg("%s:%d: %ld bytes, expected %lu", file, line, hi - lo + 1, n);
    SafeArrayAccessData(V_ARRAY(v), &p);
    if (n && memcmp(p, bytes, n))
    {
        SafeArrayUnaccessData(V_ARRAY(v));
        fail_msg("%s:%d: bytes differ", file, line);
    }
    SafeArrayUnaccessData(V_ARRAY(v));
}
#define assert_bytes(v, bytes, n) assert_bytes_impl(v, bytes, n, __FILE__, __LINE__)

static inline void read_expect(ISharedRegion *r, double offset, const void *bytes, ULONG n)
{
    VARIANT v;
    assert_int_equal(ISharedRegion_ReadBytes(r, offset, n, &v), S_OK);
    assert_bytes(&v, bytes, n);
    VariantClear(&v);
}

static inline void write_bytes(ISharedRegion *r, double offset, const void *bytes, ULONG n)
{
    VARIANT v = byte_array(bytes, n);
    assert_int_equal(ISharedRegion_WriteBytes(r, offset, v), S_OK);
    VariantClear(&v);
}

/* ---- the address space: mapped views of this process ---- */

/* Bytes of address space in MEM_MAPPED allocations, and how many such allocations. */
static inline ULONGLONG mapped_bytes(unsigned int *count)
{
    MEMORY_BASIC_INFORMATION mbi;
    BYTE *p = NULL;
    ULONGLONG total = 0;
    unsigned int n = 0;
    void *last_base = NULL;

    while (VirtualQuery(p, &mbi, sizeof(mbi)) == sizeof(mbi))
    {
        if (mbi.Type == MEM_MAPPED && mbi.State != MEM_FREE)
        {
            total += mbi.RegionSize;
            if (mbi.AllocationBase != last_base) n++;
            last_base = mbi.AllocationBase;
        }
        p = (BYTE *)mbi.BaseAddress + mbi.RegionSize;
        if ((ULONG_PTR)p < (ULONG_PTR)mbi.BaseAddress) break;
    }
    if (count) *count = n;
    return total;
}

/* Is this address inside a mapped view right now? */
static inline BOOL is_mapped(const void *addr)
{
    MEMORY_BASIC_INFORMATION mbi;
    return VirtualQuery(addr, &mbi, sizeof(mbi)) == sizeof(mbi) && mbi.State != MEM_FREE && mbi.Type == MEM_MAPPED;
}

/* Does a section of that name (in Local\) exist? */
static inline BOOL section_exists(const WCHAR *name)
{
    WCHAR full[300];
    HANDLE h;
    swprintf(full, ARRAY_SIZE(full), L"Local\\%ls", name);
    h = OpenFileMappingW(FILE_MAP_READ, FALSE, full);
    if (h) CloseHandle(h);
    return h != NULL;
}

/* The loaded server's own exports (the DLL that CoCreateInstance loaded). */
static inline HRESULT server_can_unload_now(void)
{
    HMODULE m = GetModuleHandleW(L"sharedregion.dll");
    HRESULT (WINAPI *can_unload)(void);
    assert_non_null(m);
    can_unload = (void *)GetProcAddress(m, "DllCanUnloadNow");
    assert_non_null(can_unload);
    return can_unload();
}

#endif
