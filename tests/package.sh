#!/usr/bin/env bash
# SharedRegion: the release packages (package/): the MSI installed, used, compared, upgraded and
# removed by Wine's msiexec, and the zip registered by hand; each scenario in a fresh Wine prefix.
#
#   package.sh install   1. export the class keys of both registry views (HKLM and HKCU\Software\Classes,
#                       WOW6432Node included); 2. msiexec /i /qn; 3. CreateObject from the 64-bit and
#                       the 32-bit cscript; 4. InprocServer32 of each view names the DLL in its
#                       Program Files folder, and the installed files are the built ones; 5. the keys
#                       the MSI wrote equal the keys regsvr32 writes for the same DLLs; 6. msiexec /x
#                       /qn leaves the class keys exactly as in step 1, and the files are gone
#   package.sh upgrade   7. version N, then N+1 (the same package built with the patch version bumped):
#                       one product remains, registered as N+1; removing it leaves nothing
#   package.sh zip   the zip: unpacked, laid out as documented; reg\register.cmd registers the DLLs
#                       in x64\ and x86\ (each with the regsvr32 of its bitness), CreateObject and
#                       srclient.exe work, reg\unregister.cmd leaves the class keys as they were
#   package.sh peruser   8. MSIINSTALLPERUSER=1 ALLUSERS=2: installed for the user (HKCU\Software\Classes,
#                       nothing machine-wide) and removed again, where this Wine's msiexec does per-user
#                       installs; where it does not, the check is skipped with what it did instead
#
# Environment: SR_PREFIX (the prefix, made afresh), SR_WORK (scratch folder), SR_MSI (the package),
# SR_ZIP (the zip), SR_CLIENT (the srclient.exe they were built from),
# SR_STAGE (the package's staging folder, with SharedRegion.wxs: the N+1 package is built from it),
# SR_WIXL (wixl), SR_VERSION (the package's version, N), SR_IDENTITY (build/reg/identity.env),
# SR_DLL64 and SR_DLL86 (the DLLs the package was built from).
#
# Every Wine program runs under `timeout`, by a named loader (64-bit: /usr/lib/wine/wine64), named by
# path; the prefix's AeDebug debugger is removed in both views so that a crash ends the process; one
# wineserver and one desktop live from the first export to the last (see tests/registration.sh), and
# the wineserver is stopped however the script ends. 32-bit checks run where 32-bit programs can run
# here and are otherwise skipped with the reason. Prints PASS/FAIL/SKIP lines and
# "RESULT: N passed, N failed, N skipped"; exits 1 on any failure.
set -u
cmd=${1:-}
: "${SR_PREFIX:?}" "${SR_WORK:?}" "${SR_MSI:?}" "${SR_IDENTITY:?}" "${SR_VERSION:?}"
export WINEPREFIX="$SR_PREFIX"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINEARCH=win64
WINE64=/usr/lib/wine/wine64
if [ -n "${SR_HIDE_WINE32:-}" ]; then WINE32=/nonexistent/wine32-hidden; else WINE32=/usr/lib/wine/wine; fi
if [ -x /usr/lib/wine/wineserver64 ]; then WINESERVER=/usr/lib/wine/wineserver64; else WINESERVER=/usr/lib/wine/wineserver32; fi
export WINESERVER
export WINELOADER=$WINE64
SYS64='C:\windows\system32' SYS32='C:\windows\syswow64'
T=${SR_TIMEOUT:-300}          # seconds for one Wine program

# shellcheck source=/dev/null
. "$SR_IDENTITY"
work="$SR_WORK/$cmd"
rm -rf "$work"
mkdir -p "$work"
log="$work/wine.log"

passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
finish() {
    "$WINESERVER" -k 2>/dev/null
    "$WINESERVER" -w 2>/dev/null
    echo "RESULT: $passed passed, $failed failed, $skipped skipped"
    [ "$failed" = 0 ]
    exit $?
}

w64() { WINELOADER=$WINE64 timeout "$T" "$WINE64" "$@" 2>>"$log"; }
w32() { WINELOADER=$WINE32 timeout "$T" "$WINE32" "$@" 2>>"$log"; }
# A Unix path's Windows name: the prefix maps Z: to /.
winpath() { local p; p=$(realpath -m "$1"); printf 'Z:%s\n' "${p//\//\\}"; }

case "$cmd" in
    install|upgrade|peruser|zip) ;;
    *) echo "package.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac
[ -f "$SR_MSI" ] || { echo "FAIL: no package at $SR_MSI"; exit 1; }
msi_win=$(winpath "$SR_MSI")

# ---- a fresh prefix, its debugger removed, one wineserver and one desktop for the scenario ----
"$WINESERVER" -k 2>/dev/null
"$WINESERVER" -w 2>/dev/null
rm -rf "$SR_PREFIX"
timeout "$T" "$WINE64" wineboot.exe -i >/dev/null 2>&1
"$WINESERVER" -w
[ -f "$SR_PREFIX/system.reg" ] || { echo "FAIL: could not create the prefix $SR_PREFIX"; exit 1; }
echo "fresh prefix $SR_PREFIX"
"$WINESERVER" -p
trap '"$WINESERVER" -k 2>/dev/null' EXIT
for view in 64 32; do
    w64 "$SYS64\\reg.exe" delete 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger /f /reg:$view >/dev/null
done
mkfifo "$work/desktop.fifo"
WINELOADER=$WINE64 "$WINE64" "$SYS64\\cmd.exe" /q /k 0<>"$work/desktop.fifo" >/dev/null 2>&1 &

# Can 32-bit programs run here? (the loader, the prefix's SysWOW64 programs, and one that starts)
why32=
if [ ! -x "$WINE32" ]; then why32="the 32-bit Wine loader /usr/lib/wine/wine is not installed (wine32:i386)"
elif [ ! -f "$SR_PREFIX/drive_c/windows/syswow64/cscript.exe" ]; then
    why32="the fresh prefix has no C:\\windows\\syswow64\\cscript.exe (Wine could not set up its 32-bit side here)"
elif ! w32 "$SYS32\\cmd.exe" /c exit 0; then why32="a 32-bit program does not start here ($SYS32\\cmd.exe)"
fi
has32() { [ -z "$why32" ]; }
skip32() { skip "$* -- 32-bit programs cannot run here: $why32"; }

# ---- registry exports: "KEY" lines and "KEY<TAB>value" lines ----
HKLMC='HKEY_LOCAL_MACHINE\Software\Classes'
# Unrelated registrations that must survive, planted before the first export: a per-user ProgID
# (so that HKCU\Software\Classes exists, as on Windows), and another server's CLSID in each view (so
# that neither view's CLSID key is ever empty, as on Windows; an uninstallation that removes the
# keys it emptied must stop at it).
cat >"$work/planted.reg" <<'EOF'
Windows Registry Editor Version 5.00

[HKEY_CURRENT_USER\Software\Classes\SrTest.UserUnrelated\CLSID]
@="{0BADF00D-0000-4000-8000-000000000001}"

[HKEY_LOCAL_MACHINE\Software\Classes\CLSID\{0BADF00D-0000-4000-8000-000000000001}\InprocServer32]
@="C:\\unrelated\\unrelated64.dll"

[HKEY_LOCAL_MACHINE\Software\Classes\Wow6432Node\CLSID\{0BADF00D-0000-4000-8000-000000000001}\InprocServer32]
@="C:\\unrelated\\unrelated32.dll"
EOF
w64 'C:\windows\regedit.exe' /S "$(winpath "$work/planted.reg")"

export_one() {  # export_one ROOTKEY FILE
    local reg=$2.reg
    rm -f "$reg"
    w64 'C:\windows\regedit.exe' /E "$(winpath "$reg")" "$1" && [ -s "$reg" ] || return 1
    iconv -f UTF-16 -t UTF-8 "$reg" | tr -d '\r' | sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*//; ta' |
        awk '/^\[/ { key = substr($0, 2, length($0) - 2); print key; next }
             /^$/ || /^Windows Registry Editor/ || /^REGEDIT4/ { next }
             { print key "\t" $0 }' > "$2"
}
# export_classes NAME: the class keys of both views, machine and user, in $work/NAME.txt.
export_classes() {
    if ! export_one "$HKLMC" "$work/$1.hklm" || ! export_one 'HKEY_CURRENT_USER\Software\Classes' "$work/$1.hkcu"; then
        fail "regedit /E could not export the class keys ($1)"
        finish
    fi
    # Software\Classes\Installer is Windows Installer's own record of its products (the keys it
    # keeps, emptied, after an uninstallation), not class registration: it is left out.
    cat "$work/$1.hklm" "$work/$1.hkcu" | grep -v -i -F 'HKEY_LOCAL_MACHINE\Software\Classes\Installer' > "$work/$1.txt"
}
same_classes() {  # same_classes A B WHAT
    if cmp -s "$work/$1.txt" "$work/$2.txt"; then
        pass "$3"
    else
        fail "$3; the differences ($1 -> $2):"
        diff "$work/$1.txt" "$work/$2.txt" | head -40
    fi
}
has_value() { K=$2 V=$3 awk -F'\t' 'NF == 2 && tolower($1) == tolower(ENVIRON["K"]) && $2 == ENVIRON["V"] { f = 1 } END { exit !f }' "$1"; }
has_key() { K=$2 awk -F'\t' 'NF == 1 && tolower($1) == tolower(ENVIRON["K"]) { f = 1 } END { exit !f }' "$1"; }
# The default value of a key, as regedit writes it (backslashes doubled, quotes kept).
reg_string() { local s=${1//\\/\\\\}; printf '@="%s"' "$s"; }

# ---- scripting: CreateObject by ProgID, a write and a read ----
cat >"$work/probe.vbs" <<'EOF'
On Error Resume Next
Dim r
Set r = CreateObject("SharedRegion.Region")
If Err.Number <> 0 Then
    WScript.Echo "CreateObject failed " & Hex(Err.Number)
Else
    r.Create "", 16
    r.WriteInt32 4, 1234567
    WScript.Echo "CreateObject ok " & r.ReadInt32(4)
End If
EOF
probe_win=$(winpath "$work/probe.vbs")
OK="CreateObject ok 1234567"
NOT_REGISTERED="CreateObject failed 1AD"
probe() {  # probe 64|32 EXPECTED WHAT
    local out
    if [ "$1" = 32 ]; then
        has32 || { skip32 "$3 (SysWOW64\\cscript.exe)"; return; }
        out=$(w32 "$SYS32\\cscript.exe" //nologo "$probe_win" | tr -d '\r')
    else
        out=$(w64 "$SYS64\\cscript.exe" //nologo "$probe_win" | tr -d '\r')
    fi
    if [ "$out" = "$2" ]; then pass "$3 ($1-bit cscript: $out)"; else fail "$3: $1-bit cscript: expected '$2', got '$out'"; fi
}

msiexec() {  # msiexec WHAT ARGS...: must exit 0
    local what=$1 rc
    shift
    w64 "$SYS64\\msiexec.exe" "$@"
    rc=$?
    if [ $rc = 0 ]; then pass "$what (msiexec $* exits 0)"; else fail "$what: msiexec $* exited $rc"; fi
}

C64="$HKLMC\\CLSID\\{$SR_CLSID}"
C32="$HKLMC\\Wow6432Node\\CLSID\\{$SR_CLSID}"
PF64="$SR_PREFIX/drive_c/Program Files/SharedRegion"
PF32="$SR_PREFIX/drive_c/Program Files (x86)/SharedRegion"
DLL64_WIN='C:\Program Files\SharedRegion\x64\sharedregion.dll'
DLL86_WIN='C:\Program Files (x86)\SharedRegion\x86\sharedregion.dll'

# Steps 3 and 4: a working per-machine installation.
installed_per_machine() {  # installed_per_machine EXPORT
    local f="$work/$1.txt"
    check "64-bit view: InprocServer32 is $DLL64_WIN" has_value "$f" "$C64\\InprocServer32" "$(reg_string "$DLL64_WIN")"
    check "32-bit view (WOW6432Node): InprocServer32 is $DLL86_WIN" has_value "$f" "$C32\\InprocServer32" "$(reg_string "$DLL86_WIN")"
    check "ThreadingModel is Both in both views" eval \
        "has_value '$f' '$C64\\InprocServer32' '\"ThreadingModel\"=\"Both\"' && has_value '$f' '$C32\\InprocServer32' '\"ThreadingModel\"=\"Both\"'"
    check "the type library has its win64 and win32 subkeys, each naming its DLL" eval \
        "has_value '$f' '$HKLMC\\TypeLib\\{$SR_LIBID}\\$SR_LIBVERSION\\0\\win64' '$(reg_string "$DLL64_WIN")' && has_value '$f' '$HKLMC\\TypeLib\\{$SR_LIBID}\\$SR_LIBVERSION\\0\\win32' '$(reg_string "$DLL86_WIN")'"
    check "$SR_VIPROGID\\CurVer is $SR_PROGID" has_value "$f" "$HKLMC\\$SR_VIPROGID\\CurVer" "@=\"$SR_PROGID\""
    check "the installed x64 DLL is the built one ($PF64/x64/sharedregion.dll)" cmp -s "$PF64/x64/sharedregion.dll" "$SR_DLL64"
    check "the installed x86 DLL is the built one ($PF32/x86/sharedregion.dll)" cmp -s "$PF32/x86/sharedregion.dll" "$SR_DLL86"
    check "srclient.exe, README.md and LICENSE.txt are installed" eval \
        "[ -f '$PF64/srclient.exe' ] && [ -f '$PF64/README.md' ] && [ -f '$PF64/LICENSE.txt' ]"
    probe 64 "$OK" "CreateObject through the MSI's registration"
    probe 32 "$OK" "CreateObject through the MSI's registration"
}
files_gone() {
    check "the installed files and folders are gone" eval "[ ! -e '$PF64' ] && [ ! -e '$PF32' ]"
}
# The products Windows Installer lists as SharedRegion: "PRODUCTCODE VERSION" lines.
products() {
    export_one 'HKEY_LOCAL_MACHINE\Software\Microsoft\Windows\CurrentVersion\Uninstall' "$work/uninstall" || return 1
    awk -F'\t' 'NF == 2 && $2 == "\"DisplayName\"=\"SharedRegion\"" { n[$1] = 1 }
                NF == 2 && $2 ~ /^"DisplayVersion"=/ { v = $2; sub(/^"DisplayVersion"="/, "", v); sub(/"$/, "", v); ver[$1] = v }
                END { for (k in n) { sub(/.*\\/, "", k); print k, ver["HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\" k] } }' \
        "$work/uninstall" | sort
}

# Before anything: the script hosts have run once (the first run registers their own type library),
# and SharedRegion is not there.
probe 64 "$NOT_REGISTERED" "CreateObject fails before the installation"
has32 && probe 32 "$NOT_REGISTERED" "CreateObject fails before the installation"
export_classes before

scenario_install() {
    msiexec "2. the per-machine installation" /i "$msi_win" /qn
    export_classes msi
    installed_per_machine msi

    # 5. regsvr32 writes the same keys: unregister with regsvr32, then register again.
    w64 "$SYS64\\regsvr32.exe" /s /u "$DLL64_WIN"; local rc64=$? rc32=0
    if has32; then w32 "$SYS32\\regsvr32.exe" /s /u "$DLL86_WIN"; rc32=$?; fi
    check "regsvr32 /u of the installed DLLs exits 0" [ "$rc64$rc32" = 00 ]
    export_classes unreg
    if has32; then
        same_classes before unreg "regsvr32 /u of both installed DLLs removes every class key the MSI wrote"
    else
        check "regsvr32 /u of the installed x64 DLL removes its 64-bit CLSID key" eval "! has_key '$work/unreg.txt' '$C64'"
        skip32 "regsvr32 /u of the x86 DLL, and the class keys compared with step 1"
    fi
    # The type library key is one key for both views: its HELPDIR is the last registration's, and
    # the package writes the x64 DLL's folder, so the x64 DLL registers last.
    if has32; then w32 "$SYS32\\regsvr32.exe" /s "$DLL86_WIN"; rc32=$?; fi
    w64 "$SYS64\\regsvr32.exe" /s "$DLL64_WIN"; rc64=$?
    check "regsvr32 of the installed DLLs exits 0" [ "$rc64$rc32" = 00 ]
    export_classes regsvr
    if has32; then
        same_classes msi regsvr "5. the keys the MSI wrote are exactly the keys regsvr32 writes for both DLLs (both views)"
    else
        same_classes msi regsvr "5. the keys the MSI wrote are exactly the keys regsvr32 writes for the x64 DLL, beside the x86 DLL's rows from the MSI"
        skip32 "5. the x86 DLL's keys compared with what the 32-bit regsvr32 writes"
    fi

    msiexec "6. the uninstallation" /x "$msi_win" /qn
    export_classes after
    same_classes before after "6. after msiexec /x the class keys of both views are exactly as before the installation"
    files_gone
    check "the unrelated CLSIDs planted in both views survived" eval \
        "has_key '$work/after.txt' '$HKLMC\\CLSID\\{0BADF00D-0000-4000-8000-000000000001}\\InprocServer32' && has_key '$work/after.txt' '$HKLMC\\Wow6432Node\\CLSID\\{0BADF00D-0000-4000-8000-000000000001}\\InprocServer32'"
    probe 64 "$NOT_REGISTERED" "CreateObject fails again after the uninstallation"
}

scenario_upgrade() {
    local next major minor patch before_up after_up
    IFS=. read -r major minor patch <<<"$SR_VERSION"
    next="$major.$minor.$((patch + 1))"
    : "${SR_STAGE:?}" "${SR_WIXL:?}"
    if (cd "$SR_STAGE" && "$SR_WIXL" -a x64 -D "Version=$next" -o "$work/SharedRegion-$next.msi" SharedRegion.wxs) >>"$log" 2>&1; then
        pass "the package of version $next built from the same source"
    else
        fail "wixl could not build the package of version $next"; finish
    fi
    msiexec "7. version $SR_VERSION installed" /i "$msi_win" /qn
    export_classes v1
    before_up=$(products)
    check "one SharedRegion product is installed, version $SR_VERSION ($before_up)" eval "[ \$(printf '%s\n' \"\$before_up\" | grep -c .) = 1 ] && [ \"\${before_up##* }\" = '$SR_VERSION' ]"
    msiexec "7. version $next installed over it" /i "$(winpath "$work/SharedRegion-$next.msi")" /qn
    export_classes v2
    after_up=$(products)
    check "7. one product remains, version $next, under a new product code ($after_up; before: $before_up)" eval \
        "[ \$(printf '%s\n' \"\$after_up\" | grep -c .) = 1 ] && [ \"\${after_up##* }\" = '$next' ] && [ \"\${after_up%% *}\" != \"\${before_up%% *}\" ]"
    same_classes v1 v2 "7. the upgraded registration is the same class keys"
    installed_per_machine v2
    msiexec "the uninstallation of version $next" /x "$(winpath "$work/SharedRegion-$next.msi")" /qn
    export_classes after
    same_classes before after "after the upgrade and the uninstallation the class keys are exactly as before"
    files_gone
    check "no SharedRegion product is left" eval "[ -z \"\$(products)\" ]"
}

scenario_peruser() {
    local user_root hkcu_path
    msiexec "8. the installation with MSIINSTALLPERUSER=1 ALLUSERS=2" /i "$msi_win" /qn MSIINSTALLPERUSER=1 ALLUSERS=2
    export_classes peruser
    user_root=$(awk -F'\t' 'NF == 1 && $1 ~ /^HKEY_CURRENT_USER\\Software\\Classes$/ { print $1; exit }' "$work/peruser.hkcu")
    [ -n "$user_root" ] || user_root='HKEY_CURRENT_USER\Software\Classes'
    if has_key "$work/peruser.txt" "$user_root\\CLSID\\{$SR_CLSID}\\InprocServer32" ||
       has_key "$work/peruser.txt" "$user_root\\Wow6432Node\\CLSID\\{$SR_CLSID}\\InprocServer32"; then
        check "8. nothing of ours is registered machine-wide" eval "! has_key '$work/peruser.txt' '$C64' && ! has_key '$work/peruser.txt' '$C32'"
        hkcu_path=$(K="$user_root\\CLSID\\{$SR_CLSID}\\InprocServer32" awk -F'\t' 'NF == 2 && $1 == ENVIRON["K"] && $2 ~ /^@=/ { v = substr($2, 4, length($2) - 4); gsub(/\\\\/, "\\", v); print v }' "$work/peruser.txt")
        check "8. the per-user InprocServer32 ($hkcu_path) is not under Program Files" eval "[ -n '$hkcu_path' ] && ! printf '%s' '$hkcu_path' | grep -qi 'Program Files'"
        probe 64 "$OK" "8. CreateObject through the per-user registration"
        msiexec "8. the per-user uninstallation" /x "$msi_win" /qn MSIINSTALLPERUSER=1 ALLUSERS=2
        export_classes after
        same_classes before after "8. after the per-user uninstallation the class keys are exactly as before"
    elif has_key "$work/peruser.txt" "$C64"; then
        skip "8. the per-user installation (MSIINSTALLPERUSER=1 ALLUSERS=2) -- this Wine's msiexec does not implement per-user installs of a dual-purpose package: it installed per machine ($C64\\InprocServer32 = $(awk -F'\t' -v k="$C64\\InprocServer32" 'NF == 2 && $1 == k && $2 ~ /^@=/ { print substr($2, 3) }' "$work/peruser.txt"), nothing under HKCU\\Software\\Classes)"
        msiexec "the uninstallation of what it installed" /x "$msi_win" /qn MSIINSTALLPERUSER=1 ALLUSERS=2
        export_classes after
        same_classes before after "after the uninstallation the class keys are exactly as before"
        files_gone
    else
        fail "8. the installation registered SharedRegion neither per user nor per machine"
    fi
}

scenario_zip() {
    local top f missing="" rc out
    : "${SR_ZIP:?}" "${SR_CLIENT:?}"
    top=$(basename "$SR_ZIP" .zip)
    mkdir -p "$SR_PREFIX/drive_c/unpacked"
    if (cd "$SR_PREFIX/drive_c/unpacked" && cmake -E tar xf "$SR_ZIP") >>"$log" 2>&1; then pass "the zip unpacks"; else fail "the zip does not unpack"; finish; fi
    local root="$SR_PREFIX/drive_c/unpacked/$top" rootwin="C:\\unpacked\\$top"
    for f in x64/sharedregion.dll x86/sharedregion.dll x64/SharedRegion.SxS.manifest x86/SharedRegion.SxS.manifest \
             x64/example-app.exe.manifest x86/example-app.exe.manifest srclient.exe reg/register.cmd reg/unregister.cmd \
             README.md LICENSE.txt docs/registration.md docs/client.md docs/contract.md docs/reference.md \
             client/examples/hello.vbs client/examples/telemetry.vbs client/scripts/consumer.vbs; do
        [ -f "$root/$f" ] || missing="$missing $f"
    done
    check "the zip's folder $top holds every documented file${missing:+ (missing:$missing)}" [ -z "$missing" ]
    check "its DLLs and srclient.exe are the built ones" eval \
        "cmp -s '$root/x64/sharedregion.dll' '$SR_DLL64' && cmp -s '$root/x86/sharedregion.dll' '$SR_DLL86' && cmp -s '$root/srclient.exe' '$SR_CLIENT'"
    check "the manifests name their architecture (x64\\: amd64, x86\\: x86)" eval \
        "grep -q 'processorArchitecture=\"amd64\"' '$root/x64/SharedRegion.SxS.manifest' && grep -q 'processorArchitecture=\"x86\"' '$root/x86/SharedRegion.SxS.manifest'"

    w64 "$SYS64\\cmd.exe" /c "$rootwin\\reg\\register.cmd" >"$work/register.out" 2>&1; rc=$?
    out=$(tr -d '\r' <"$work/register.out" | tr '\n' ' ')
    if has32; then
        check "reg\\register.cmd registers both DLLs (exit $rc: $out)" [ "$rc" = 0 ]
    else
        check "reg\\register.cmd registers x64\\sharedregion.dll ($out)" eval "printf '%s' \"\$out\" | grep -q 'SharedRegion registered (machine): .*x64.sharedregion.dll'"
        skip32 "reg\\register.cmd registering x86\\sharedregion.dll with SysWOW64\\regsvr32.exe (it exited $rc: $out)"
    fi
    export_classes registered
    check "64-bit view: InprocServer32 is the zip's x64 DLL" has_value "$work/registered.txt" "$C64\\InprocServer32" "$(reg_string "$rootwin\\x64\\sharedregion.dll")"
    if has32; then
        check "32-bit view: InprocServer32 is the zip's x86 DLL" has_value "$work/registered.txt" "$C32\\InprocServer32" "$(reg_string "$rootwin\\x86\\sharedregion.dll")"
    fi
    probe 64 "$OK" "CreateObject through reg\\register.cmd's registration"
    probe 32 "$OK" "CreateObject through reg\\register.cmd's registration"
    out=$(w64 "$rootwin\\srclient.exe" create "sr-zip-$$" 4K --text "from the zip" --no-hold 2>&1 | tr -d '\r' | head -1)
    check "srclient.exe from the zip creates a region ($out)" eval "printf '%s' \"\$out\" | grep -q '^created Local.sr-zip-'"

    out=$(w64 "$SYS64\\cmd.exe" /c "$rootwin\\reg\\unregister.cmd" 2>&1 | tr -d '\r' | tr '\n' ' ')
    export_classes after
    same_classes before after "reg\\unregister.cmd leaves the class keys of both views exactly as before ($out)"
}

"scenario_$cmd"
finish
