@echo off
rem register.cmd [user] [path\to\sharedregion.dll]
rem   Registers SharedRegion (CLSID, ProgIDs, type library) with regsvr32.
rem   Without "user": machine-wide, under HKLM\Software\Classes (run from an elevated prompt).
rem   With "user": for the current user only, under HKCU\Software\Classes (no admin rights needed).
rem   Without a path: every SharedRegion DLL found, each by the regsvr32 of its own bitness:
rem     sharedregion.dll beside this script or in its parent directory (the build this script came
rem     with: @SR_BITS@-bit), and x64\sharedregion.dll and x86\sharedregion.dll in the parent
rem     directory (a release carrying both).
rem   A 64-bit DLL goes to the 64-bit regsvr32 (System32; Sysnative from a 32-bit prompt) and the
rem   64-bit registry view; a 32-bit DLL to SysWOW64\regsvr32 and the 32-bit view (WOW6432Node).
rem   With a path: the 64-bit regsvr32, which hands a 32-bit DLL on to SysWOW64\regsvr32.
rem   Exit code: 0 on success, else the first failing regsvr32's (3 cannot load the DLL, 4 no entry point,
rem   5 the registration itself failed, e.g. access denied without elevation); 2 if no DLL is found.
setlocal
set "scope=machine"
set "flags=/s"
if /i not "%~1"=="user" goto scoped
set "scope=user"
set "flags=/s /n /i:user"
shift
:scoped
set "rs64=%SystemRoot%\System32\regsvr32.exe"
if exist "%SystemRoot%\Sysnative\regsvr32.exe" set "rs64=%SystemRoot%\Sysnative\regsvr32.exe"
set "rs32=%SystemRoot%\SysWOW64\regsvr32.exe"
if not exist "%rs32%" set "rs32=%SystemRoot%\System32\regsvr32.exe"
set "rs_own=%rs64%"
if "@SR_BITS@"=="32" set "rs_own=%rs32%"
set "rc=0"
set "found=0"
if "%~1"=="" goto search
call :one "%rs64%" "%~1"
goto finish
:search
set "dll="
if exist "%~dp0sharedregion.dll" set "dll=%~dp0sharedregion.dll"
if not defined dll if exist "%~dp0..\sharedregion.dll" set "dll=%~dp0..\sharedregion.dll"
if defined dll call :one "%rs_own%" "%dll%"
if exist "%~dp0..\x64\sharedregion.dll" call :one "%rs64%" "%~dp0..\x64\sharedregion.dll"
if exist "%~dp0..\x86\sharedregion.dll" call :one "%rs32%" "%~dp0..\x86\sharedregion.dll"
if not "%found%"=="0" goto finish
echo register.cmd: sharedregion.dll not found; pass its path 1>&2
exit /b 2
:finish
exit /b %rc%

:one
set "found=1"
"%~1" %flags% "%~2"
set "one_rc=%errorlevel%"
if "%one_rc%"=="0" goto one_ok
echo register.cmd: regsvr32 failed with exit code %one_rc% for %~2 ^(%scope%^) 1>&2
if "%rc%"=="0" set "rc=%one_rc%"
exit /b %one_rc%
:one_ok
echo SharedRegion registered (%scope%): %~2
exit /b 0
