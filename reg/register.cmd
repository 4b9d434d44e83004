@echo off
rem register.cmd [user] [path\to\sharedregion.dll]
rem   Registers SharedRegion (CLSID, ProgIDs, type library) with regsvr32.
rem   Without "user": machine-wide, under HKLM\Software\Classes (run from an elevated prompt).
rem   With "user": for the current user only, under HKCU\Software\Classes (no admin rights needed).
rem   The DLL defaults to sharedregion.dll beside this script, or in its parent directory.
rem   Exit code: 0 on success, else regsvr32's (3 cannot load the DLL, 4 no entry point, 5 the
rem   registration itself failed, e.g. access denied without elevation).
setlocal
set "scope=machine"
if /i "%~1"=="user" (
    set "scope=user"
    shift
)
set "dll=%~1"
if not defined dll if exist "%~dp0sharedregion.dll" set "dll=%~dp0sharedregion.dll"
if not defined dll if exist "%~dp0..\sharedregion.dll" set "dll=%~dp0..\sharedregion.dll"
if not defined dll (
    echo register.cmd: sharedregion.dll not found; pass its path 1>&2
    exit /b 2
)
rem The 64-bit regsvr32 even when this prompt is a 32-bit one.
set "regsvr=%SystemRoot%\System32\regsvr32.exe"
if exist "%SystemRoot%\Sysnative\regsvr32.exe" set "regsvr=%SystemRoot%\Sysnative\regsvr32.exe"
if "%scope%"=="user" (
    "%regsvr%" /s /n /i:user "%dll%"
) else (
    "%regsvr%" /s "%dll%"
)
set "rc=%errorlevel%"
if not "%rc%"=="0" (
    echo register.cmd: regsvr32 failed with exit code %rc% for %dll% ^(%scope%^) 1>&2
    exit /b %rc%
)
echo SharedRegion registered (%scope%): %dll%
exit /b 0
