/*
 * tlbcontrol: the independent control for tests/registration.sh. It makes a type library of its
 * own (empty, with a LIBID the caller gives, nothing to do with SharedRegion) and registers or
 * unregisters it with the OLE Automation calls directly, so that the script can see where this
 * system's RegisterTypeLibForUser and UnRegisterTypeLibForUser put or remove a registration, for a
 * library that is not ours.
 *
 *   tlbcontrol make PATH LIBID           CreateTypeLib2: write an empty type library (version 1.0)
 *   tlbcontrol register PATH user        LoadTypeLibEx(REGKIND_NONE) + RegisterTypeLibForUser
 *   tlbcontrol register PATH machine     LoadTypeLibEx(REGKIND_NONE) + RegisterTypeLib
 *   tlbcontrol unregister LIBID user     UnRegisterTypeLibForUser(LIBID, 1, 0, 0, SR_SYSKIND)
 *   tlbcontrol unregister LIBID machine  UnRegisterTypeLib(LIBID, 1, 0, 0, SR_SYSKIND)
 *
 * SR_SYSKIND is the platform of this build, as for the DLL: SYS_WIN64 (x64) or SYS_WIN32 (x86).
 *
 * Prints what it did and the HRESULT; exits 0 if the call returned S_OK, 1 if not, 2 on bad usage.
 */
#define COBJMACROS
#include <windows.h>
#include <ole2.h>
#include <oleauto.h>
#include <stdio.h>
#include <wchar.h>

#ifdef _WIN64
#define SR_SYSKIND SYS_WIN64
#else
#define SR_SYSKIND SYS_WIN32
#endif

/* In oleaut32 since Vista; the mingw-w64 headers do not declare them. */
HRESULT WINAPI RegisterTypeLibForUser(ITypeLib *typelib, OLECHAR *path, OLECHAR *helpdir);
HRESULT WINAPI UnRegisterTypeLibForUser(REFGUID libid, WORD major, WORD minor, LCID lcid, SYSKIND syskind);

static int done(const char *what, const WCHAR *arg, HRESULT hr)
{
    printf("%s %ls: hr %#lx\n", what, arg, (unsigned long)hr);
    return hr == S_OK ? 0 : 1;
}

static int make(const WCHAR *path, const WCHAR *libid)
{
    ICreateTypeLib2 *ctl = NULL;
    GUID guid;
    HRESULT hr;

    if (FAILED(hr = CLSIDFromString(libid, &guid))) return done("bad LIBID", libid, hr);
    if (FAILED(hr = CreateTypeLib2(SR_SYSKIND, path, &ctl))) return done("CreateTypeLib2", path, hr);
    if (SUCCEEDED(hr)) hr = ICreateTypeLib2_SetGuid(ctl, &guid);
    if (SUCCEEDED(hr)) hr = ICreateTypeLib2_SetName(ctl, (LPOLESTR)L"SrTestControlLib");
    if (SUCCEEDED(hr)) hr = ICreateTypeLib2_SetVersion(ctl, 1, 0);
    if (SUCCEEDED(hr)) hr = ICreateTypeLib2_SetLcid(ctl, LOCALE_NEUTRAL);
    if (SUCCEEDED(hr)) hr = ICreateTypeLib2_SaveAllChanges(ctl);
    ICreateTypeLib2_Release(ctl);
    return done("made", path, hr);
}

static int reg(const WCHAR *path, BOOL user)
{
    ITypeLib *tl = NULL;
    HRESULT hr;

    if (FAILED(hr = LoadTypeLibEx(path, REGKIND_NONE, &tl))) return done("LoadTypeLibEx", path, hr);
    hr = user ? RegisterTypeLibForUser(tl, (OLECHAR *)path, NULL) : RegisterTypeLib(tl, (OLECHAR *)path, NULL);
    ITypeLib_Release(tl);
    return done(user ? "RegisterTypeLibForUser" : "RegisterTypeLib", path, hr);
}

static int unreg(const WCHAR *libid, BOOL user)
{
    GUID guid;
    HRESULT hr;

    if (FAILED(hr = CLSIDFromString(libid, &guid))) return done("bad LIBID", libid, hr);
    hr = user ? UnRegisterTypeLibForUser(&guid, 1, 0, LOCALE_NEUTRAL, SR_SYSKIND)
              : UnRegisterTypeLib(&guid, 1, 0, LOCALE_NEUTRAL, SR_SYSKIND);
    return done(user ? "UnRegisterTypeLibForUser" : "UnRegisterTypeLib", libid, hr);
}

int wmain(int argc, WCHAR **argv)
{
    BOOL user = argc == 4 && !wcscmp(argv[3], L"user");
    BOOL scope = argc == 4 && (user || !wcscmp(argv[3], L"machine"));

    if (argc == 4 && !wcscmp(argv[1], L"make")) return make(argv[2], argv[3]);
    if (scope && !wcscmp(argv[1], L"register")) return reg(argv[2], user);
    if (scope && !wcscmp(argv[1], L"unregister")) return unreg(argv[2], user);
    fprintf(stderr, "usage: tlbcontrol make PATH LIBID | register PATH user|machine | unregister LIBID user|machine\n");
    return 2;
}
