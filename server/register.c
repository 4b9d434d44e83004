/*
 * SharedRegion server: registration, table-driven.
 *
 * Machine scope (regsvr32): HKLM\Software\Classes and RegisterTypeLib.
 * User scope (regsvr32 /n /i:user): HKCU\Software\Classes and RegisterTypeLibForUser.
 * Unregistration removes exactly the keys below, and a ProgID key only while it still names
 * our CLSID, so nothing of anyone else's is removed; then the scope's CLSID key if that is left
 * empty (registration created it). Both directions are idempotent; unregistration never creates a key.
 *
 * Each build registers in its own registry view, with the same CLSID and ProgIDs: the keys are
 * opened without KEY_WOW64_32KEY or KEY_WOW64_64KEY, so the 64-bit DLL (System32\regsvr32) writes
 * the 64-bit view and the 32-bit one (SysWOW64\regsvr32) lands in WOW6432Node through the
 * registry redirector, and each host finds the DLL of its own bitness. The type library is
 * registered for this build's platform (SR_SYSKIND: the win64 or win32 subkey of the library).
 */
#include <wchar.h>
#include "private.h"

/* In oleaut32 (Vista and later) but not declared by mingw-w64's headers. */
HRESULT WINAPI RegisterTypeLibForUser(ITypeLib *typelib, OLECHAR *path, OLECHAR *helpdir);
HRESULT WINAPI UnRegisterTypeLibForUser(REFGUID libid, WORD major, WORD minor, LCID lcid, SYSKIND syskind);

#ifdef _WIN64
#define SR_SYSKIND SYS_WIN64
#else
#define SR_SYSKIND SYS_WIN32
#endif

#define PROGID    L"SharedRegion.Region.1"
#define VIPROGID  L"SharedRegion.Region"
#define FRIENDLY  L"SharedRegion: a shared memory region or mapped file"

enum value_kind { VAL_TEXT, VAL_MODULE, VAL_CLSID, VAL_LIBID };

struct reg_entry
{
    const WCHAR *key;        /* below the Classes root; "%c" stands for the CLSID in braces */
    const WCHAR *value_name; /* NULL: the key's default value */
    enum value_kind kind;
    const WCHAR *text;
};

static const struct reg_entry entries[] =
{
    { L"CLSID\\%c", NULL, VAL_TEXT, FRIENDLY },
    { L"CLSID\\%c\\InprocServer32", NULL, VAL_MODULE, NULL },
    { L"CLSID\\%c\\InprocServer32", L"ThreadingModel", VAL_TEXT, L"Both" },
    { L"CLSID\\%c\\ProgID", NULL, VAL_TEXT, PROGID },
    { L"CLSID\\%c\\VersionIndependentProgID", NULL, VAL_TEXT, VIPROGID },
    { L"CLSID\\%c\\TypeLib", NULL, VAL_LIBID, NULL },
    { L"CLSID\\%c\\Version", NULL, VAL_TEXT, L"1.0" },
    { PROGID, NULL, VAL_TEXT, FRIENDLY },
    { PROGID L"\\CLSID", NULL, VAL_CLSID, NULL },
    { VIPROGID, NULL, VAL_TEXT, FRIENDLY },
    { VIPROGID L"\\CLSID", NULL, VAL_CLSID, NULL },
    { VIPROGID L"\\CurVer", NULL, VAL_TEXT, PROGID },
};

/* The top-level keys the entries create, removed on unregistration. */
static const WCHAR *const owned_keys[] = { L"CLSID\\%c", PROGID, VIPROGID };

/* The Classes key of the scope. Registration creates it if need be (a new per-user profile may have
 * none); unregistration only opens it, so that it never creates a key (ERROR_FILE_NOT_FOUND: none). */
static LONG classes_root(BOOL per_user, BOOL create, HKEY *root)
{
    HKEY base = per_user ? HKEY_CURRENT_USER : HKEY_LOCAL_MACHINE;

    *root = NULL;
    if (create) return RegCreateKeyExW(base, L"Software\\Classes", 0, NULL, 0, KEY_ALL_ACCESS, NULL, root, NULL);
    return RegOpenKeyExW(base, L"Software\\Classes", 0, KEY_ALL_ACCESS, root);
}

static void expand_key(const WCHAR *pattern, WCHAR *out, size_t len)
{
    WCHAR clsid[40];
    const WCHAR *p = wcsstr(pattern, L"%c");

    StringFromGUID2(&CLSID_SharedRegion, clsid, ARRAY_SIZE(clsid));
    if (!p) { lstrcpynW(out, pattern, (int)len); return; }
    __mingw_snwprintf(out, len, L"%.*ls%ls%ls", (int)(p - pattern), pattern, clsid, p + 2);
}

static HRESULT write_entries(HKEY root, const WCHAR *module)
{
    WCHAR key[256], value[MAX_PATH * 2];
    const WCHAR *data;
    unsigned int i;
    HKEY k;
    LONG err;

    for (i = 0; i < ARRAY_SIZE(entries); i++)
    {
        const struct reg_entry *e = &entries[i];
        expand_key(e->key, key, ARRAY_SIZE(key));
        switch (e->kind)
        {
        case VAL_TEXT:   lstrcpynW(value, e->text, ARRAY_SIZE(value)); break;
        case VAL_MODULE: break;
        case VAL_CLSID:  StringFromGUID2(&CLSID_SharedRegion, value, ARRAY_SIZE(value)); break;
        case VAL_LIBID:  StringFromGUID2(&LIBID_SharedRegionLib, value, ARRAY_SIZE(value)); break;
        }
        if ((err = RegCreateKeyExW(root, key, 0, NULL, 0, KEY_SET_VALUE, NULL, &k, NULL))) return HRESULT_FROM_WIN32(err);
        data = e->kind == VAL_MODULE ? module : value; /* the DLL's path, however long */
        err = RegSetValueExW(k, e->value_name, 0, REG_SZ, (const BYTE *)data, (wcslen(data) + 1) * sizeof(WCHAR));
        RegCloseKey(k);
        if (err) return HRESULT_FROM_WIN32(err);
    }
    return S_OK;
}

/* A ProgID key is ours only while its CLSID subkey names our CLSID. */
static BOOL progid_is_ours(HKEY root, const WCHAR *progid)
{
    WCHAR key[256], value[64], clsid[40];
    DWORD size = sizeof(value);

    __mingw_snwprintf(key, ARRAY_SIZE(key), L"%ls\\CLSID", progid);
    if (RegGetValueW(root, key, NULL, RRF_RT_REG_SZ, NULL, value, &size)) return FALSE;
    StringFromGUID2(&CLSID_SharedRegion, clsid, ARRAY_SIZE(clsid));
    return !_wcsicmp(value, clsid);
}

static HRESULT delete_entries(HKEY root)
{
    WCHAR key[256];
    unsigned int i;
    HKEY k;
    LONG err;

    for (i = 0; i < ARRAY_SIZE(owned_keys); i++)
    {
        expand_key(owned_keys[i], key, ARRAY_SIZE(key));
        if (i && !progid_is_ours(root, key)) continue;
        err = RegDeleteTreeW(root, key);
        if (err && err != ERROR_FILE_NOT_FOUND) return HRESULT_FROM_WIN32(err);
    }
    /* Registration created the CLSID key if the scope had none (a new per-user profile): remove it
     * again when it is left empty, with no subkey and no value of anyone's. RegDeleteKeyW refuses a
     * key that gained a subkey meanwhile. */
    if (!RegOpenKeyExW(root, L"CLSID", 0, KEY_QUERY_VALUE, &k))
    {
        DWORD subkeys = 1, values = 1;
        err = RegQueryInfoKeyW(k, NULL, NULL, NULL, &subkeys, NULL, NULL, &values, NULL, NULL, NULL, NULL);
        RegCloseKey(k);
        if (!err && !subkeys && !values) RegDeleteKeyW(root, L"CLSID");
    }
    return S_OK;
}

/* Everything or nothing: when a step fails, the keys already written are removed again. */
HRESULT register_server(BOOL per_user)
{
    ITypeLib *tl = NULL;
    WCHAR *path = NULL;
    HKEY root;
    LONG err;
    HRESULT hr;

    if (FAILED(hr = module_path(&path))) return hr;
    if ((err = classes_root(per_user, TRUE, &root)))
    {
        HeapFree(GetProcessHeap(), 0, path);
        return HRESULT_FROM_WIN32(err);
    }
    if (SUCCEEDED(hr = write_entries(root, path)) && SUCCEEDED(hr = LoadTypeLibEx(path, REGKIND_NONE, &tl)))
    {
        hr = per_user ? RegisterTypeLibForUser(tl, path, NULL) : RegisterTypeLib(tl, path, NULL);
        ITypeLib_Release(tl);
    }
    if (FAILED(hr)) delete_entries(root);
    RegCloseKey(root);
    HeapFree(GetProcessHeap(), 0, path);
    return hr;
}

HRESULT unregister_server(BOOL per_user)
{
    HKEY root;
    LONG err;
    HRESULT hr = S_OK;

    if ((err = classes_root(per_user, FALSE, &root)) && err != ERROR_FILE_NOT_FOUND) return HRESULT_FROM_WIN32(err);
    if (root)
    {
        hr = delete_entries(root);
        RegCloseKey(root);
    }
    if (FAILED(hr)) return hr;
    /* Not registered is not an error: unregistering twice succeeds. Only this build's own
     * bitness goes (TypeLib\{LIBID}\1.0\0\win64 or win32): the other build may be registered too. */
    if (per_user) UnRegisterTypeLibForUser(&LIBID_SharedRegionLib, 1, 0, LOCALE_NEUTRAL, SR_SYSKIND);
    else UnRegisterTypeLib(&LIBID_SharedRegionLib, 1, 0, LOCALE_NEUTRAL, SR_SYSKIND);
    return S_OK;
}
