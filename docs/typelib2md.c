/*
 * typelib2md: the API reference of a type library, as markdown.
 *
 *   typelib2md.exe <sharedregion.dll or .tlb> <output.md>
 *
 * Loads the type library with LoadTypeLibEx (no registration) and writes every enum, interface,
 * member, parameter and coclass with its helpstring. Run through Wine at build time on the type
 * library embedded in sharedregion.dll, so the reference is exactly what scripting hosts see.
 */
#define COBJMACROS
#include <windows.h>
#include <ole2.h>
#include <oleauto.h>
#include <stdio.h>
#include <wchar.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static FILE *out;

/* Write wide text as UTF-8. */
static void put(const WCHAR *fmt, ...)
{
    WCHAR buf[4096];
    char utf8[4096 * 3];
    va_list ap;
    int n;

    va_start(ap, fmt);
    __mingw_vsnwprintf(buf, ARRAY_SIZE(buf), fmt, ap);
    va_end(ap);
    buf[ARRAY_SIZE(buf) - 1] = 0;
    n = WideCharToMultiByte(CP_UTF8, 0, buf, -1, utf8, sizeof(utf8), NULL, NULL);
    if (n > 1) fwrite(utf8, 1, n - 1, out);
}

static const WCHAR *guid_text(const GUID *guid)
{
    static WCHAR text[40];
    StringFromGUID2(guid, text, ARRAY_SIZE(text));
    return text;
}

/* The type as a script author reads it (VBScript names), written into buf. */
static void type_name(ITypeInfo *ti, const TYPEDESC *td, WCHAR *buf, size_t len)
{
    switch (td->vt)
    {
    case VT_PTR:
        type_name(ti, td->lptdesc, buf, len);
        return;
    case VT_SAFEARRAY:
        type_name(ti, td->lptdesc, buf, len);
        wcsncat(buf, L"()", len - wcslen(buf) - 1);
        return;
    case VT_USERDEFINED:
    {
        ITypeInfo *ref;
        BSTR name = NULL;
        if (SUCCEEDED(ITypeInfo_GetRefTypeInfo(ti, td->hreftype, &ref)))
        {
            ITypeInfo_GetDocumentation(ref, MEMBERID_NIL, &name, NULL, NULL, NULL);
            ITypeInfo_Release(ref);
        }
        __mingw_snwprintf(buf, len, L"%ls", name ? name : L"?");
        SysFreeString(name);
        return;
    }
    default:
        break;
    }
    switch (td->vt)
    {
    case VT_BSTR: lstrcpynW(buf, L"String", len); break;
    case VT_R8: lstrcpynW(buf, L"Double", len); break;
    case VT_R4: lstrcpynW(buf, L"Single", len); break;
    case VT_I4: case VT_INT: lstrcpynW(buf, L"Long", len); break;
    case VT_I2: lstrcpynW(buf, L"Integer", len); break;
    case VT_UI1: lstrcpynW(buf, L"Byte", len); break;
    case VT_BOOL: lstrcpynW(buf, L"Boolean", len); break;
    case VT_VARIANT: lstrcpynW(buf, L"Variant", len); break;
    case VT_DISPATCH: lstrcpynW(buf, L"Object", len); break;
    case VT_UNKNOWN: lstrcpynW(buf, L"IUnknown", len); break;
    case VT_HRESULT: lstrcpynW(buf, L"HRESULT", len); break;
    case VT_VOID: lstrcpynW(buf, L"void", len); break;
    case VT_UI4: lstrcpynW(buf, L"ULONG", len); break;
    case VT_I8: lstrcpynW(buf, L"LONGLONG", len); break;
    case VT_UI8: lstrcpynW(buf, L"ULONGLONG", len); break;
    default: __mingw_snwprintf(buf, len, L"VARTYPE %u", td->vt); break;
    }
}

static void write_enum(ITypeInfo *ti, TYPEATTR *attr)
{
    unsigned int i;

    put(L"| name | value |\n| --- | --- |\n");
    for (i = 0; i < attr->cVars; i++)
    {
        VARDESC *vd;
        BSTR name = NULL;
        VARIANT v;

        if (FAILED(ITypeInfo_GetVarDesc(ti, i, &vd))) continue;
        ITypeInfo_GetDocumentation(ti, vd->memid, &name, NULL, NULL, NULL);
        VariantInit(&v);
        if (vd->varkind == VAR_CONST) VariantChangeType(&v, vd->lpvarValue, 0, VT_BSTR);
        put(L"| `%ls` | %ls |\n", name, V_VT(&v) == VT_BSTR ? V_BSTR(&v) : L"");
        VariantClear(&v);
        SysFreeString(name);
        ITypeInfo_ReleaseVarDesc(ti, vd);
    }
    put(L"\n");
}

static void write_function(ITypeInfo *ti, const WCHAR *iface, FUNCDESC *fd)
{
    BSTR names[32] = { 0 }, doc = NULL;
    WCHAR sig[2048], type[128], ret[128] = L"";
    const WCHAR *kind;
    UINT count = 0, i;
    int retval = -1;

    ITypeInfo_GetNames(ti, fd->memid, names, ARRAY_SIZE(names), &count);
    ITypeInfo_GetDocumentation(ti, fd->memid, NULL, &doc, NULL, NULL);
    switch (fd->invkind)
    {
    case INVOKE_PROPERTYGET: kind = L"property, read-only"; break;
    case INVOKE_PROPERTYPUT: kind = L"property, write"; break;
    case INVOKE_PROPERTYPUTREF: kind = L"property, write by reference"; break;
    default: kind = L"method"; break;
    }
    for (i = 0; i < (UINT)fd->cParams; i++)
        if (fd->lprgelemdescParam[i].paramdesc.wParamFlags & PARAMFLAG_FRETVAL) retval = i;
    if (retval >= 0) type_name(ti, &fd->lprgelemdescParam[retval].tdesc, ret, ARRAY_SIZE(ret));

    /* The call as a script writes it: optional arguments in brackets. */
    __mingw_snwprintf(sig, ARRAY_SIZE(sig), L"%ls", names[0]);
    if (fd->invkind == INVOKE_FUNC || fd->cParams > (retval >= 0 ? 1 : 0))
    {
        int first = 1;
        wcsncat(sig, L"(", ARRAY_SIZE(sig) - wcslen(sig) - 1);
        for (i = 0; i < (UINT)fd->cParams; i++)
        {
            USHORT flags = fd->lprgelemdescParam[i].paramdesc.wParamFlags;
            WCHAR one[256];
            if ((int)i == retval) continue;
            type_name(ti, &fd->lprgelemdescParam[i].tdesc, type, ARRAY_SIZE(type));
            __mingw_snwprintf(one, ARRAY_SIZE(one), L"%ls%ls%ls As %ls%ls", first ? L"" : L", ",
                              flags & (PARAMFLAG_FOPT | PARAMFLAG_FHASDEFAULT) ? L"[" : L"",
                              i + 1 < count ? names[i + 1] : L"?", type,
                              flags & (PARAMFLAG_FOPT | PARAMFLAG_FHASDEFAULT) ? L"]" : L"");
            wcsncat(sig, one, ARRAY_SIZE(sig) - wcslen(sig) - 1);
            first = 0;
        }
        wcsncat(sig, L")", ARRAY_SIZE(sig) - wcslen(sig) - 1);
    }
    if (*ret)
    {
        wcsncat(sig, L" As ", ARRAY_SIZE(sig) - wcslen(sig) - 1);
        wcsncat(sig, ret, ARRAY_SIZE(sig) - wcslen(sig) - 1);
    }

    put(L"### %ls.%ls\n\n`%ls`\n\n%ls, DISPID %ld.\n\n", iface, names[0], sig, kind, (long)fd->memid);
    if (doc && *doc) put(L"%ls\n\n", doc);
    if (fd->cParams > (retval >= 0 ? 1 : 0))
    {
        /* Parameter names as the type library stores them: its name table is case-insensitive and
         * keeps the first spelling it meets, so a parameter is spelled like a member of the same name
         * declared before it (Create's parameter name appears as Name). Member names keep their own
         * spelling: the IDL declares properties before methods. */
        put(L"Parameters:\n\n");
        for (i = 0; i < (UINT)fd->cParams; i++)
        {
            PARAMDESC *pd = &fd->lprgelemdescParam[i].paramdesc;
            WCHAR flags[256] = L"";
            if ((int)i == retval) continue;
            type_name(ti, &fd->lprgelemdescParam[i].tdesc, type, ARRAY_SIZE(type));
            if (pd->wParamFlags & PARAMFLAG_FIN) wcscat(flags, L", in");
            if (pd->wParamFlags & PARAMFLAG_FOUT) wcscat(flags, L", out");
            if (pd->wParamFlags & PARAMFLAG_FOPT) wcscat(flags, L", optional");
            if ((pd->wParamFlags & PARAMFLAG_FHASDEFAULT) && pd->pparamdescex)
            {
                VARIANT v;
                VariantInit(&v);
                if (SUCCEEDED(VariantChangeType(&v, &pd->pparamdescex->varDefaultValue, 0, VT_BSTR)))
                {
                    size_t len = wcslen(flags);
                    __mingw_snwprintf(flags + len, ARRAY_SIZE(flags) - len, L"%ls, default %ls",
                                      (pd->wParamFlags & PARAMFLAG_FOPT) ? L"" : L", optional", V_BSTR(&v));
                }
                VariantClear(&v);
            }
            put(L"- `%ls` %ls%ls\n", i + 1 < count ? names[i + 1] : L"?", type, flags);
        }
        put(L"\n");
    }
    if (*ret) put(L"Returns %ls.\n\n", ret);
    for (i = 0; i < count; i++) SysFreeString(names[i]);
    SysFreeString(doc);
}

static void write_interface(ITypeInfo *ti, TYPEATTR *attr, const WCHAR *name)
{
    unsigned int i;

    /* A dual interface: document its vtable part, which lists the members without IDispatch's. */
    if (attr->typekind == TKIND_DISPATCH && (attr->wTypeFlags & TYPEFLAG_FDUAL))
    {
        HREFTYPE href;
        ITypeInfo *vt;
        TYPEATTR *vattr;
        if (SUCCEEDED(ITypeInfo_GetRefTypeOfImplType(ti, -1, &href))
            && SUCCEEDED(ITypeInfo_GetRefTypeInfo(ti, href, &vt)))
        {
            if (SUCCEEDED(ITypeInfo_GetTypeAttr(vt, &vattr)))
            {
                for (i = 0; i < vattr->cFuncs; i++)
                {
                    FUNCDESC *fd;
                    if (FAILED(ITypeInfo_GetFuncDesc(vt, i, &fd))) continue;
                    write_function(vt, name, fd);
                    ITypeInfo_ReleaseFuncDesc(vt, fd);
                }
                ITypeInfo_ReleaseTypeAttr(vt, vattr);
            }
            ITypeInfo_Release(vt);
            return;
        }
    }
    for (i = 0; i < attr->cFuncs; i++)
    {
        FUNCDESC *fd;
        if (FAILED(ITypeInfo_GetFuncDesc(ti, i, &fd))) continue;
        write_function(ti, name, fd);
        ITypeInfo_ReleaseFuncDesc(ti, fd);
    }
}

static void write_coclass(ITypeInfo *ti, TYPEATTR *attr)
{
    unsigned int i;

    for (i = 0; i < attr->cImplTypes; i++)
    {
        HREFTYPE href;
        ITypeInfo *impl;
        BSTR name = NULL;
        INT flags = 0;
        if (FAILED(ITypeInfo_GetRefTypeOfImplType(ti, i, &href))) continue;
        if (FAILED(ITypeInfo_GetRefTypeInfo(ti, href, &impl))) continue;
        ITypeInfo_GetDocumentation(impl, MEMBERID_NIL, &name, NULL, NULL, NULL);
        ITypeInfo_GetImplTypeFlags(ti, i, &flags);
        put(L"- implements `%ls`%ls\n", name, flags & IMPLTYPEFLAG_FDEFAULT ? L" (default)" : L"");
        SysFreeString(name);
        ITypeInfo_Release(impl);
    }
    put(L"\n");
}

int wmain(int argc, WCHAR **argv)
{
    static const TYPEKIND order[] = { TKIND_ENUM, TKIND_DISPATCH, TKIND_INTERFACE, TKIND_COCLASS };
    ITypeLib *tl;
    TLIBATTR *lattr;
    BSTR name = NULL, doc = NULL;
    unsigned int i, k, count;
    HRESULT hr;

    if (argc != 3)
    {
        fwprintf(stderr, L"usage: typelib2md <dll or tlb> <output.md>\n");
        return 2;
    }
    if (FAILED(hr = LoadTypeLibEx(argv[1], REGKIND_NONE, &tl)))
    {
        fwprintf(stderr, L"typelib2md: LoadTypeLibEx(%ls) failed with %#lx\n", argv[1], (unsigned long)hr);
        return 1;
    }
    if (!(out = _wfopen(argv[2], L"wb")))
    {
        fwprintf(stderr, L"typelib2md: cannot write %ls\n", argv[2]);
        return 1;
    }
    ITypeLib_GetDocumentation(tl, -1, &name, &doc, NULL, NULL);
    ITypeLib_GetLibAttr(tl, &lattr);
    put(L"# %ls %u.%u: API reference\n\n", name, lattr->wMajorVerNum, lattr->wMinorVerNum);
    put(L"Generated at build time from the type library embedded in sharedregion.dll (LoadTypeLibEx): "
        L"what scripting hosts see. Do not edit; the source is idl/sharedregion.idl. Interfaces declared "
        L"outside the library block (the [local] ones for C/C++) are not in the type library: see the "
        L"generated header sharedregion.h. The committed copy is docs/reference.md: after a change to the "
        L"IDL, copy build/docs/api-reference.md over it (the test reference_md_is_current compares them).\n\n");
    put(L"%ls\n\nLIBID `%ls`, version %u.%u.\n\n", doc ? doc : L"", guid_text(&lattr->guid),
        lattr->wMajorVerNum, lattr->wMinorVerNum);
    ITypeLib_ReleaseTLibAttr(tl, lattr);
    SysFreeString(name);
    SysFreeString(doc);

    count = ITypeLib_GetTypeInfoCount(tl);
    for (k = 0; k < ARRAY_SIZE(order); k++)
    {
        for (i = 0; i < count; i++)
        {
            ITypeInfo *ti;
            TYPEATTR *attr;
            const WCHAR *what;

            if (FAILED(ITypeLib_GetTypeInfo(tl, i, &ti))) continue;
            if (FAILED(ITypeInfo_GetTypeAttr(ti, &attr))) { ITypeInfo_Release(ti); continue; }
            if (attr->typekind == order[k])
            {
                name = doc = NULL;
                ITypeInfo_GetDocumentation(ti, MEMBERID_NIL, &name, &doc, NULL, NULL);
                switch (attr->typekind)
                {
                case TKIND_ENUM: what = L"enum"; break;
                case TKIND_COCLASS: what = L"coclass"; break;
                case TKIND_DISPATCH: what = (attr->wTypeFlags & TYPEFLAG_FDUAL) ? L"interface (dual)" : L"dispinterface"; break;
                default: what = L"interface"; break;
                }
                put(L"## %ls %ls\n\n%ls `%ls`.%ls%ls\n\n", what, name,
                    attr->typekind == TKIND_COCLASS ? L"CLSID" : attr->typekind == TKIND_ENUM ? L"UUID" : L"IID",
                    guid_text(&attr->guid), doc && *doc ? L" " : L"", doc ? doc : L"");
                switch (attr->typekind)
                {
                case TKIND_ENUM: write_enum(ti, attr); break;
                case TKIND_COCLASS: write_coclass(ti, attr); break;
                default: write_interface(ti, attr, name); break;
                }
                SysFreeString(name);
                SysFreeString(doc);
            }
            ITypeInfo_ReleaseTypeAttr(ti, attr);
            ITypeInfo_Release(ti);
        }
    }
    fclose(out);
    ITypeLib_Release(tl);
    return 0;
}
