/*
 * srclient: the region commands.
 *
 *   srclient create NAME SIZE [--sddl SDDL] [data options] [--no-hold | hold options]
 *     Creates a new page-file-backed region of SIZE bytes (64K, 5G, 0x10000 ...). It never opens
 *     an existing one: a name that exists is exit 4. It can write data into the new region (the
 *     options of write), then holds it, because a region lives only while some process has it
 *     open; --no-hold exits at once. --sddl gives the region a security descriptor.
 *
 *   srclient info NAME [--readonly]                                   (also: srclient open)
 *     Opens an existing region, whoever made it, and prints its kernel name, its size as Windows
 *     reports it (page-rounded) and its access. Exit 3 when no region has that name.
 *
 *   srclient hold NAME [--readonly] [--signal] [--stdin] [--for DUR | --timeout DUR]
 *     Opens an existing region and keeps it open, so that it outlives its creator.
 *
 * Holding (holding.c) ends on a key or the end of stdin by default, on the region's signal with
 * --signal, after --for DUR, or with exit 5 when --timeout passes first.
 */
#include "srclient.h"

int cmd_create(struct args *a)
{
    const WCHAR *name = a->pos[0];
    ISharedRegion *r = NULL;
    struct payload p;
    struct hold h;
    ULONGLONG size, off;
    VARIANT sddl = v_missing();
    WCHAR hs[32];
    BSTR b, kname;
    HRESULT hr;
    int rc;

    if (!parse_size(a->pos[1], &size))
        return bad_arg(a, L"SIZE '%ls' is not a number (use decimal or 0x hex, optionally with K, M, G or T)",
                       a->pos[1]);
    if ((rc = offset_opt(a, &off))) return rc;
    if ((rc = parse_payload(a, NULL, &p))) return rc;
    if (has(a, L"no-hold") && (has(a, L"signal") || has(a, L"stdin") || has(a, L"for") || has(a, L"timeout")))
    {
        free_payload(&p);
        return usage_error(a, L"--no-hold does not combine with --signal, --stdin, --for or --timeout");
    }
    if (!has(a, L"no-hold") && (rc = parse_hold(a, &h))) { free_payload(&p); return rc; }
    if ((rc = create_object(a, &r))) { free_payload(&p); return rc; }

    if (has(a, L"sddl")) sddl = v_str(get(a, L"sddl"));
    b = SysAllocString(name);
    hr = ISharedRegion_Create(r, b, (double)size, sddl);
    SysFreeString(b);
    VariantClear(&sddl);
    if (FAILED(hr)) { rc = REGION_FAIL(a, hr, r, L"Create"); goto done; }
    kname = region_name(r);
    out(L"created %ls: %ls\n", *kname ? kname : L"an anonymous region", human_size(region_size(r), hs, ARRAY_SIZE(hs)));
    SysFreeString(kname);
    if ((rc = write_payload(a, r, &p, off))) goto done;
    if (has(a, L"no-hold"))
        out(L"not holding: the region goes away now unless another process has it open\n");
    else
        rc = hold_region(a, r, &h);

done:
    free_payload(&p);
    if (r) ISharedRegion_Release(r);
    return rc;
}

int cmd_info(struct args *a)
{
    static const WCHAR *access[] = { L"ReadWrite", L"ReadOnly", L"CopyOnWrite" };
    ISharedRegion *r;
    RegionAccess acc = RegionReadWrite;
    WCHAR hs[32];
    BSTR name;
    int rc;

    if ((rc = open_named(a, a->pos[0], has(a, L"readonly") ? 1 : 0, &r))) return rc;
    name = region_name(r);
    ISharedRegion_get_Access(r, &acc);
    out(L"name:   %ls\nsize:   %llu bytes (%ls)\naccess: %ls\n", name, region_size(r),
        human_size(region_size(r), hs, ARRAY_SIZE(hs)), (unsigned)acc < 3 ? access[acc] : L"?");
    SysFreeString(name);
    ISharedRegion_Release(r);
    return RC_OK;
}

int cmd_hold(struct args *a)
{
    ISharedRegion *r;
    struct hold h;
    WCHAR hs[32];
    BSTR name;
    int rc;

    if ((rc = parse_hold(a, &h))) return rc;
    if ((rc = open_named(a, a->pos[0], has(a, L"readonly") ? 1 : 0, &r))) return rc;
    name = region_name(r);
    out(L"opened %ls: %ls\n", name, human_size(region_size(r), hs, ARRAY_SIZE(hs)));
    SysFreeString(name);
    rc = hold_region(a, r, &h);
    ISharedRegion_Release(r);
    return rc;
}
