/*
 * SharedRegion from C: create a named region, write through the automation interface,
 * read it through a zero-copy view, and release everything (the README's C example).
 * Build: x86_64-w64-mingw32-gcc hello.c sharedregion_i.c -lole32 -loleaut32 -luuid
 */
#define COBJMACROS
#include <windows.h>
#include <stdio.h>
#include "sharedregion.h"

static void report(const char *what, HRESULT hr)
{
    IErrorInfo *info;
    BSTR desc = NULL;
    if (GetErrorInfo(0, &info) == S_OK)
    {
        IErrorInfo_GetDescription(info, &desc);
        IErrorInfo_Release(info);
    }
    fprintf(stderr, "%s failed: 0x%08lx %ls\n", what, (unsigned long)hr, desc ? desc : L"");
    SysFreeString(desc);
}

int main(void)
{
    ISharedRegion *region = NULL;
    ISharedView *view = NULL;
    ISharedViewMemory *memory = NULL;
    VARIANT none;
    BSTR name = SysAllocString(L"HelloSharedRegion"), text = SysAllocString(L"hello from C");
    LONG written = 0;
    char *address;
    SIZE_T size;
    HRESULT hr;

    V_VT(&none) = VT_ERROR;               /* an optional argument left out */
    V_ERROR(&none) = DISP_E_PARAMNOTFOUND;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoCreateInstance(&CLSID_SharedRegion, NULL, CLSCTX_INPROC_SERVER, &IID_ISharedRegion, (void **)&region);
    if (FAILED(hr)) { report("CoCreateInstance", hr); return 1; }

    if (FAILED(hr = ISharedRegion_Create(region, name, 65536, none))) { report("Create", hr); goto done; }
    if (FAILED(hr = ISharedRegion_WriteString(region, 0, text, none, none, &written))) { report("WriteString", hr); goto done; }
    if (FAILED(hr = ISharedRegion_MapView(region, 0, 4096, none, &view))) { report("MapView", hr); goto done; }

    /* Zero-copy: the view's own memory, valid until the view is released. */
    ISharedView_QueryInterface(view, &IID_ISharedViewMemory, (void **)&memory);
    ISharedViewMemory_GetAddress(memory, (void **)&address, &size);
    printf("wrote %ld bytes; the view (%lu bytes) reads: %s\n", written, (unsigned long)size, address);

    /* Errors carry a sentence that names the method and the values. */
    hr = ISharedRegion_WriteInt32(region, 70000, 1);
    report("WriteInt32 past the end (expected)", hr);
    hr = S_OK;

done:
    /* Release everything: views and regions in any order; the last one closes the mapping. */
    if (memory) ISharedViewMemory_Release(memory);
    if (view) ISharedView_Release(view);
    if (region) ISharedRegion_Release(region);
    SysFreeString(name);
    SysFreeString(text);
    CoUninitialize();
    return FAILED(hr) ? 1 : 0;
}
