@echo off
rem unregister.cmd [user] [path\to\sharedregion.dll]
rem   Removes what register.cmd wrote, and nothing else: without "user" from HKLM\Software\Classes
rem   (elevated prompt), with "user" from HKCU\Software\Classes. A ProgID that another server has
rem   taken over is left alone. Unregistering what is not registered succeeds.
rem   The DLL defaults to sharedregion.dll beside this script, or in its parent directory.
rem   Exit code: 0 on success, else regsvr32's.
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
    echo unregister.cmd: sharedregion.dll not found; pass its path 1>&2
    exit /b 2
)
set "regsvr=%SystemRoot%\System32\regsvr32.exe"
if exist "%SystemRoot%\Sysnative\regsvr32.exe" set "regsvr=%SystemRoot%\Sysnative\regsvr32.exe"
if "%scope%"=="user" (
    "%regsvr%" /s /u /n /i:user "%dll%"
) else (
    "%regsvr%" /s /u "%dll%"
)
set "rc=%errorlevel%"
if not "%rc%"=="0" (
    echo unregister.cmd: regsvr32 failed with exit code %rc% for %dll% ^(%scope%^) 1>&2
    exit /b %rc%
)
echo SharedRegion unregistered (%scope%): %dll%
exit /b 0
