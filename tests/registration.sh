#!/usr/bin/env bash
# SharedRegion: registration every way, proven on the registry of a Wine prefix of its own.
#
#   registration.sh init      create the registration prefix afresh (SR_PREFIX)
#   registration.sh machine   regsvr32 machine-wide: every key written, registering twice changes
#                             nothing, unregistering (twice, and before ever registering) leaves the
#                             registry exactly as it was, and a ProgID someone else took over survives
#   registration.sh user      the same for regsvr32 /n /i:user (HKCU\Software\Classes)
#   registration.sh both      both scopes at once: removing the per-user registration leaves the
#                             machine-wide one working
#   registration.sh run PROG [ARGS]   run a program in the prefix (the registration-free tests)
#   registration.sh stop      stop the prefix's wineserver
#
# Environment: SR_BITS (64, the default: the x64 build, System32's programs and the 64-bit registry
# view; 32: the x86 build, SysWOW64's programs, and the 32-bit view, where CLSID and Interface keys
# are under Software\Classes\Wow6432Node while ProgIDs and TypeLib are shared), SR_PREFIX (the prefix), SR_WORK (scratch directory), SR_DLL (sharedregion.dll),
# SR_IDENTITY (build/reg/identity.env: the GUIDs and ProgIDs, generated from the IDL),
# SR_REG_DIR (build/reg: register.cmd and unregister.cmd), SR_TLBCONTROL (tlbcontrol.exe, built from
# tests/helpers/tlbcontrol.c: registers a type library of its own, the control for the type library
# checks).
#
# Each scenario starts by unregistering the DLL in both scopes (before its first export, so outside
# its before/after comparison): a scenario that failed half-way and left the DLL registered does not
# break the ones after it.
#
# "The registry is unchanged" is checked on a full export (regedit /E) of every hive, before and
# after. No line of the export is filtered out: the only part of a Wine registry that changes on its
# own is the display-device keys (HKLM\System\CurrentControlSet\Control\Video) that Wine re-creates
# with fresh GUIDs each time a wineserver starts, or a desktop: each scenario keeps one wineserver
# running (wineserver -p) and one desktop open from its first export to its last, so they do not
# change either.
#
# Prints PASS/FAIL/SKIP lines and "RESULT: N passed, N failed, N skipped"; exits 1 on any failure.
# A check that this Wine cannot carry out is reported as SKIP with the reason, never as a pass.
set -u

cmd=${1:-}
shift || true
: "${SR_PREFIX:?}" "${SR_WORK:?}"
export WINEPREFIX="$SR_PREFIX"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINEARCH=win64
# Every program is run by a named loader and named by path (Debian's plain `wine` is the 32-bit
# loader whenever wine32 is installed): 64-bit programs with /usr/lib/wine/wine64, from system32.
# WINELOADER names that loader too: Wine starts its helper processes (explorer.exe, the desktop) from
# it, and left unset every program makes a desktop of its own, each one adding display-device keys.
WINE64=/usr/lib/wine/wine64
if [ -n "${SR_HIDE_WINE32:-}" ]; then WINE32=/nonexistent/wine32-hidden; else WINE32=/usr/lib/wine/wine; fi
if [ -x /usr/lib/wine/wineserver64 ]; then WINESERVER=/usr/lib/wine/wineserver64; else WINESERVER=/usr/lib/wine/wineserver32; fi
export WINESERVER
SR_BITS=${SR_BITS:-64}
if [ "$SR_BITS" = 32 ]; then
    LOADER=$WINE32 SYS='C:\windows\syswow64' VIEW='\Wow6432Node' PLATFORM=win32
else
    LOADER=$WINE64 SYS='C:\windows\system32' VIEW= PLATFORM=win64
fi
export WINELOADER=$LOADER
REGSVR32="$SYS\\regsvr32.exe" CSCRIPT="$SYS\\cscript.exe" REG="$SYS\\reg.exe" CMD="$SYS\\cmd.exe"
# The export and import: the 64-bit regedit, which sees both views.
REGEDIT='C:\windows\regedit.exe'

# 32-bit programs where they cannot run: skipped with the reason (SKIP_REGULAR_EXPRESSION).
if [ "$SR_BITS" = 32 ] && [ "$cmd" != init ] && [ "$cmd" != stop ]; then
    why=
    if [ ! -x "$WINE32" ]; then why="the 32-bit Wine loader /usr/lib/wine/wine is not installed (wine32:i386)"
    elif ! err=$("$WINE32" --version 2>&1 >/dev/null); then
        why="the 32-bit Wine loader cannot run on this machine (${err:-no reason given}): the kernel runs no 32-bit programs"
    elif [ -f "$SR_PREFIX/system.reg" ] && [ ! -f "$SR_PREFIX/drive_c/windows/syswow64/cscript.exe" ]; then
        why="the prefix $SR_PREFIX has no C:\\windows\\syswow64\\cscript.exe"
    fi
    if [ -n "$why" ]; then echo "SKIP: 32-bit Wine is not available: $why"; exit 77; fi
fi

case "$cmd" in
    init)
        rm -rf "$SR_PREFIX"
        "$WINE64" wineboot.exe -i >/dev/null 2>&1
        "$WINESERVER" -w
        [ -f "$SR_PREFIX/system.reg" ] || { echo "registration.sh: could not create the prefix $SR_PREFIX" >&2; exit 1; }
        echo "fresh prefix $SR_PREFIX"
        exit 0 ;;
    stop)
        "$WINESERVER" -k 2>/dev/null
        "$WINESERVER" -w 2>/dev/null
        exit 0 ;;
    run)
        exec "$LOADER" "$@" ;;
    machine|user|both) ;;
    *)
        echo "registration.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac

: "${SR_DLL:?}" "${SR_IDENTITY:?}" "${SR_REG_DIR:?}" "${SR_TLBCONTROL:?}"
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
    echo "RESULT: $passed passed, $failed failed, $skipped skipped"
    [ "$failed" = 0 ]
    exit $?
}

# One wineserver for the whole scenario (see the header), stopped however the script ends.
"$WINESERVER" -k 2>/dev/null
"$WINESERVER" -w 2>/dev/null   # the old server must be gone, or -p races it for the socket
"$WINESERVER" -p
trap '"$WINESERVER" -k 2>/dev/null' EXIT
# Wine closes a desktop a second after its last program exits, and the next program opens a new one
# (explorer.exe writes a display-device key with a new GUID). On a busy machine two programs of a
# scenario can be more than a second apart, so one program keeps the desktop open all along: cmd.exe
# reading a pipe that never ends (it opens the pipe for writing too), stopped with the wineserver.
mkfifo "$work/desktop.fifo"
WINELOADER=$WINE64 "$WINE64" 'C:\windows\system32\cmd.exe' /q /k 0<>"$work/desktop.fifo" >/dev/null 2>&1 &

w() { "$LOADER" "$@" 2>>"$log"; }
w64() { WINELOADER=$WINE64 "$WINE64" "$@" 2>>"$log"; }
# A Unix path's Windows name. Where the prefix maps Z: to / (Wine's default), it is computed here: a
# winepath.exe process per path was one more program start that a busy machine could fail
# ("Application could not be started"), and the export it named then failed with it.
winpath() {
    local p
    if [ "$(readlink "$SR_PREFIX/dosdevices/z:" 2>/dev/null)" = / ]; then
        p=$(realpath -m "$1")
        printf 'Z:%s\n' "${p//\//\\}"
    else
        "$WINE64" winepath.exe -w "$1" 2>>"$log"
    fi
}

dll_win=$(winpath "$SR_DLL")
# As regedit writes a string value: backslashes doubled.
dll_reg=${dll_win//\\/\\\\}
HKLM='HKEY_LOCAL_MACHINE\Software\Classes'
PSOA='{00020424-0000-0000-C000-000000000046}'
FRIENDLY='SharedRegion: a shared memory region or mapped file'
OTHER_CLSID='{0BADF00D-0000-4000-8000-000000000002}'

# The registry as "KEY" lines and "KEY<TAB>value" lines (hex values joined onto one line).
export_reg() {
    local name=$1 reg="$work/$1.reg"
    rm -f "$reg"
    if ! w64 "$REGEDIT" /E "$(winpath "$reg")" || [ ! -s "$reg" ]; then
        fail "regedit /E could not export the registry ($name)"
        finish
    fi
    iconv -f UTF-16 -t UTF-8 "$reg" | tr -d '\r' | sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*//; ta' |
        awk '/^\[/ { key = substr($0, 2, length($0) - 2); print key; next }
             /^$/ || /^Windows Registry Editor/ || /^REGEDIT4/ { next }
             { print key "\t" $0 }' > "$work/$name.txt"
}

# has_key FILE KEY, has_value FILE KEY VALUE-LINE: key paths compare without case (as the registry
# does), values exactly.
has_key() { K=$2 awk -F'\t' 'NF == 1 && tolower($1) == tolower(ENVIRON["K"]) { f = 1 } END { exit !f }' "$1"; }
has_value() { K=$2 V=$3 awk -F'\t' 'NF == 2 && tolower($1) == tolower(ENVIRON["K"]) && $2 == ENVIRON["V"] { f = 1 } END { exit !f }' "$1"; }
no_key() { ! has_key "$@"; }
# Is any key below ROOT (a prefix of key paths) there?
has_subtree() { K=$2 awk -F'\t' 'NF == 1 && index(tolower($1), tolower(ENVIRON["K"])) == 1 { f = 1 } END { exit !f }' "$1"; }

same_registry() {  # same_registry A B WHAT
    if cmp -s "$work/$1.txt" "$work/$2.txt"; then
        pass "$3"
    else
        fail "$3; the differences ($1 -> $2):"
        diff "$work/$1.txt" "$work/$2.txt" | head -40
    fi
}

regsvr() {  # regsvr WHAT ARGS...: regsvr32 /s ARGS DLL must exit 0
    local what=$1 rc
    shift
    w "$REGSVR32" /s "$@" "$dll_win"
    rc=$?
    if [ $rc = 0 ]; then pass "$what (regsvr32 /s $* exits 0)"; else fail "$what: regsvr32 /s $* exited $rc"; fi
}

helper() {  # helper WHAT SCRIPT ARGS...: reg/register.cmd or unregister.cmd must exit 0
    local what=$1 script=$2 rc
    shift 2
    w "$CMD" /c "$(winpath "$SR_REG_DIR/$script")" "$@" >"$work/helper.out"
    rc=$?
    if [ $rc = 0 ]; then pass "$what ($script $* exits 0: $(tr -d '\r' <"$work/helper.out"))"
    else fail "$what: $script $* exited $rc: $(tr -d '\r' <"$work/helper.out")"; fi
}

# Scripting through the registration: CreateObject by ProgID, then a write and a read.
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
# VBScript's error 429 (ActiveX component can't create object) for a ProgID that is not registered.
NOT_REGISTERED="CreateObject failed 1AD"
# The first script host run in a prefix registers the host's own type library (wshom's IHost,
# IArguments2): each scenario runs the probe once before its first export, so that this is in the
# "before" registry and not taken for something registration left behind.
probe() {  # probe EXPECTED WHAT
    local out
    out=$(w "$CSCRIPT" //nologo "$(winpath "$work/probe.vbs")" | tr -d '\r')
    if [ "$out" = "$1" ]; then pass "$2 ($out)"; else fail "$2: expected '$1', got '$out'"; fi
}

# taken_over ROOT: the version-independent ProgID still names the other server's CLSID (reg query).
taken_over() {
    w "$REG" query "$1\\$SR_VIPROGID\\CLSID" /ve | tr -d '\r' | grep -q "REG_SZ[[:space:]]*$OTHER_CLSID\$"
}

import_reg() {  # import_reg FILE: regedit /S
    if ! w64 "$REGEDIT" /S "$(winpath "$1")"; then fail "regedit /S $(basename "$1")"; finish; fi
}

# The view a root's CLSID and Interface keys are in: VIEW machine-wide, UVIEW per user (which
# user_view_control may find different under this Wine).
UVIEW=$VIEW
view_of() { case "$1" in HKEY_USERS*) printf '%s' "$UVIEW" ;; *) printf '%s' "$VIEW" ;; esac; }

# 32-bit only: does this system redirect a 32-bit program's HKCU\Software\Classes\CLSID into
# HKCU\Software\Classes\Wow6432Node\CLSID, as Windows does? Asked with a key that is not ours,
# written by the 32-bit reg.exe, and removed again (with the CLSID key if the control created it)
# before the scenario's first export.
user_view_control() {
    local k='{0BADF00D-0000-4000-8000-0000000000F2}' had_clsid=0
    [ "$SR_BITS" = 32 ] || return 0
    w64 "C:\\windows\\system32\\reg.exe" query 'HKCU\Software\Classes\CLSID' >/dev/null && had_clsid=1
    w "$REG" add "HKCU\\Software\\Classes\\CLSID\\$k" /f >/dev/null
    if w64 "C:\\windows\\system32\\reg.exe" query "HKCU\\Software\\Classes\\Wow6432Node\\CLSID\\$k" >/dev/null; then
        user_redirected=1
    else
        user_redirected=0
        UVIEW=
    fi
    w "$REG" delete "HKCU\\Software\\Classes\\CLSID\\$k" /f >/dev/null
    if [ $had_clsid = 0 ]; then w64 "C:\\windows\\system32\\reg.exe" delete 'HKCU\Software\Classes\CLSID' /f >/dev/null 2>&1; fi
    if [ $user_redirected = 0 ]; then
        skip "per-user keys in the 32-bit view (HKCU\\Software\\Classes\\Wow6432Node\\CLSID, where Windows puts a 32-bit program's) -- this Wine does not redirect HKCU\\Software\\Classes for 32-bit programs: a control key written there by the 32-bit reg.exe stayed in HKCU\\Software\\Classes\\CLSID; the per-user keys are checked there"
    fi
}

# expect_registered FILE ROOT: every key and value of our own registration table under ROOT.
expect_registered() {
    local f=$1 root=$2 c="$2$(view_of "$2")\\CLSID\\{$SR_CLSID}"
    check "CLSID key with its name, under $root" has_value "$f" "$c" "@=\"$FRIENDLY\""
    check "InprocServer32 is the DLL's full path ($dll_win)" has_value "$f" "$c\\InprocServer32" "@=\"$dll_reg\""
    check "ThreadingModel is $SR_THREADING" has_value "$f" "$c\\InprocServer32" "\"ThreadingModel\"=\"$SR_THREADING\""
    check "CLSID\\ProgID is $SR_PROGID" has_value "$f" "$c\\ProgID" "@=\"$SR_PROGID\""
    check "CLSID\\VersionIndependentProgID is $SR_VIPROGID" has_value "$f" "$c\\VersionIndependentProgID" "@=\"$SR_VIPROGID\""
    check "CLSID\\TypeLib is the library's LIBID" has_value "$f" "$c\\TypeLib" "@=\"{$SR_LIBID}\""
    check "CLSID\\Version is $SR_LIBVERSION" has_value "$f" "$c\\Version" "@=\"$SR_LIBVERSION\""
    check "$SR_PROGID names the CLSID" has_value "$f" "$root\\$SR_PROGID\\CLSID" "@=\"{$SR_CLSID}\""
    check "$SR_VIPROGID names the CLSID" has_value "$f" "$root\\$SR_VIPROGID\\CLSID" "@=\"{$SR_CLSID}\""
    check "$SR_VIPROGID\\CurVer is $SR_PROGID" has_value "$f" "$root\\$SR_VIPROGID\\CurVer" "@=\"$SR_PROGID\""
}

# typelib_registered FILE ROOT: what type library registration writes: the library and the
# Interface keys of the dual interfaces (marshalled by the type library marshaler).
typelib_registered() {
    local f=$1 root=$2 iid name
    has_value "$f" "$root\\TypeLib\\{$SR_LIBID}\\$SR_LIBVERSION\\0\\$PLATFORM" "@=\"$dll_reg\"" || return 1
    for name in ISharedRegion ISharedView; do
        iid=$(eval echo "\$SR_IID_$name")
        has_value "$f" "$root$(view_of "$root")\\Interface\\{$iid}" "@=\"$name\"" || return 1
        has_value "$f" "$root$(view_of "$root")\\Interface\\{$iid}\\ProxyStubClsid32" "@=\"$PSOA\"" || return 1
        has_value "$f" "$root$(view_of "$root")\\Interface\\{$iid}\\TypeLib" "@=\"{$SR_LIBID}\"" || return 1
        has_value "$f" "$root$(view_of "$root")\\Interface\\{$iid}\\TypeLib" "\"Version\"=\"$SR_LIBVERSION\"" || return 1
    done
}

# Set-up of every scenario, before its first export: the DLL unregistered in both scopes, whatever
# an earlier scenario that failed (or was stopped) left behind. Not a check: the scenario's own
# "registered in neither scope to begin with" check follows.
unregister_both_scopes() {
    local rc
    w "$REGSVR32" /s /u "$dll_win"; rc=$?
    w "$REGSVR32" /s /u /n /i:user "$dll_win"
    echo "set-up: unregistered the DLL machine-wide (regsvr32 /u exit $rc) and per user (exit $?)"
}

# ---- the independent controls for the type library checks ----
# Where does this system's RegisterTypeLibForUser put a registration, and does its
# UnRegisterTypeLibForUser remove a machine-wide one? Asked with a type library that is not ours
# (tlbcontrol makes an empty one with a LIBID of its own), so that a wrong call in our DllInstall
# cannot look like a gap of the platform. Run before a scenario's first export, and the control's
# registrations are removed again, so they are outside every comparison.
CONTROL_LIBID='{0BADF00D-0000-4000-8000-0000000000F1}'
tlbcontrol() { w "$SR_TLBCONTROL" "$@" >>"$log"; }
control_key() { w "$REG" query "$1\\Software\\Classes\\TypeLib\\$CONTROL_LIBID" >/dev/null; }
control_clean() {
    control_key HKLM && tlbcontrol unregister "$CONTROL_LIBID" machine
    control_key HKCU && w "$REG" delete "HKCU\\Software\\Classes\\TypeLib\\$CONTROL_LIBID" /f >/dev/null
    if control_key HKLM || control_key HKCU; then fail "control: the control type library could not be removed"; finish; fi
}
# Sets control_register_user (where RegisterTypeLibForUser put the control: user, machine or
# nowhere) and control_unregister_user (whether UnRegisterTypeLibForUser removed the control's
# machine-wide registration: removes-machine or keeps-machine).
typelib_controls() {
    local tlb
    tlb=$(winpath "$work/control.tlb")
    control_clean
    if ! tlbcontrol make "$tlb" "$CONTROL_LIBID"; then fail "control: tlbcontrol could not make its type library"; finish; fi
    if ! tlbcontrol register "$tlb" user; then fail "control: RegisterTypeLibForUser of the control type library failed"; finish; fi
    if control_key HKCU && ! control_key HKLM; then control_register_user=user
    elif control_key HKLM; then control_register_user=machine
    else control_register_user=nowhere; fi
    tlbcontrol unregister "$CONTROL_LIBID" user
    control_clean
    if ! tlbcontrol register "$tlb" machine || ! control_key HKLM; then
        fail "control: RegisterTypeLib of the control type library did not register it machine-wide"; finish
    fi
    tlbcontrol unregister "$CONTROL_LIBID" user
    if control_key HKLM; then control_unregister_user=keeps-machine; else control_unregister_user=removes-machine; fi
    control_clean
    echo "control: with a type library that is not ours, RegisterTypeLibForUser registered it in scope" \
         "'$control_register_user', and UnRegisterTypeLibForUser after RegisterTypeLib: '$control_unregister_user'"
}

# nothing_of_ours FILE ROOT: none of our keys under ROOT.
nothing_of_ours() {
    no_key "$1" "$2$(view_of "$2")\\CLSID\\{$SR_CLSID}" && no_key "$1" "$2\\$SR_PROGID" && no_key "$1" "$2\\$SR_VIPROGID"
}

scenario_machine() {
    # Unrelated registrations that must survive: another server's CLSID and ProgID, and a ProgID
    # whose name starts like ours.
    cat >"$work/planted.reg" <<EOF
Windows Registry Editor Version 5.00

[$HKLM\\SrTest.Unrelated]
@="an unrelated ProgID"

[$HKLM\\SrTest.Unrelated\\CLSID]
@="{0BADF00D-0000-4000-8000-000000000001}"

[$HKLM\\CLSID\\{0BADF00D-0000-4000-8000-000000000001}\\InprocServer32]
@="C:\\\\unrelated\\\\unrelated.dll"
"ThreadingModel"="Apartment"

[$HKLM\\SharedRegion.RegionOther\\CLSID]
@="{0BADF00D-0000-4000-8000-000000000001}"
EOF
    import_reg "$work/planted.reg"
    probe "$NOT_REGISTERED" "CreateObject fails before registration"
    export_reg before
    check "the DLL is not registered in this prefix to begin with" nothing_of_ours "$work/before.txt" "$HKLM"

    regsvr "unregistering what was never registered succeeds" /u
    export_reg never
    same_registry before never "unregistering what was never registered changes nothing"

    regsvr "machine-wide registration"
    export_reg reg1
    expect_registered "$work/reg1.txt" "$HKLM"
    check "the type library and the Interface keys of ISharedRegion and ISharedView are registered" \
        typelib_registered "$work/reg1.txt" "$HKLM"
    probe "CreateObject ok 1234567" "CreateObject works through the machine-wide registration"

    helper "registering a second time, with reg\\register.cmd (DLL found beside the script's directory)" register.cmd
    export_reg reg2
    same_registry reg1 reg2 "registering twice writes nothing new"

    # Another server takes over the version-independent ProgID: unregistration must leave it.
    w "$REG" add "$HKLM\\$SR_VIPROGID\\CLSID" /ve /d "$OTHER_CLSID" /f >/dev/null
    helper "unregistration with reg\\unregister.cmd" unregister.cmd
    export_reg unreg1
    check "unregistration removed our CLSID and $SR_PROGID" \
        eval "no_key '$work/unreg1.txt' '$HKLM$VIEW\\CLSID\\{$SR_CLSID}' && no_key '$work/unreg1.txt' '$HKLM\\$SR_PROGID'"
    check "unregistration removed the type library and the Interface keys" \
        eval "! has_subtree '$work/unreg1.txt' '$HKLM\\TypeLib\\{$SR_LIBID}' && ! has_subtree '$work/unreg1.txt' '$HKLM$VIEW\\Interface\\{$SR_IID_ISharedRegion}' && ! has_subtree '$work/unreg1.txt' '$HKLM$VIEW\\Interface\\{$SR_IID_ISharedView}'"
    check "a ProgID another server took over survives unregistration" \
        has_value "$work/unreg1.txt" "$HKLM\\$SR_VIPROGID\\CLSID" "@=\"$OTHER_CLSID\""
    regsvr "unregistering a second time" /u
    check "the taken-over ProgID survives the second unregistration too" taken_over "HKLM\\Software\\Classes"
    w "$REG" delete "$HKLM\\$SR_VIPROGID" /f >/dev/null   # the other server goes too
    export_reg after
    same_registry before after "the registry after unregistering (twice) is exactly the registry before registering"
    check "the unrelated CLSID survived" has_value "$work/after.txt" "$HKLM\\CLSID\\{0BADF00D-0000-4000-8000-000000000001}\\InprocServer32" "\"ThreadingModel\"=\"Apartment\""
    check "the unrelated ProgIDs survived" \
        eval "has_key '$work/after.txt' '$HKLM\\SrTest.Unrelated\\CLSID' && has_key '$work/after.txt' '$HKLM\\SharedRegion.RegionOther\\CLSID'"
    probe "$NOT_REGISTERED" "CreateObject fails again after unregistration"
}

# The per-user root as the export spells it (HKEY_USERS\<SID>\Software\Classes), found from a
# planted per-user key.
user_root() {
    awk -F'\t' 'NF == 1 && $1 ~ /^HKEY_USERS\\S-[0-9-]+\\Software\\Classes\\SrTest\.UserUnrelated$/ {
                    sub(/\\SrTest\.UserUnrelated$/, "", $1); print $1; exit }' "$1"
}

plant_user() {
    # Per-user: an unrelated ProgID and one whose name starts like ours. A Windows profile always
    # has HKCU\Software\Classes (the user's classes hive); a fresh Wine prefix has none until a key
    # is written there, so planting these gives the prefix that shape. Nothing is planted under
    # HKCU\Software\Classes\CLSID: registration creates that key, and unregistration must remove it.
    cat >"$work/planted.reg" <<EOF
Windows Registry Editor Version 5.00

[HKEY_CURRENT_USER\\Software\\Classes\\SrTest.UserUnrelated\\CLSID]
@="{0BADF00D-0000-4000-8000-000000000001}"

[HKEY_CURRENT_USER\\Software\\Classes\\SharedRegion.RegionOther\\CLSID]
@="{0BADF00D-0000-4000-8000-000000000001}"

[HKEY_CURRENT_USER\\Software\\Classes\\SrTest.UserDictionary\\CLSID]
@="{EE09B103-97E0-11CF-978F-00A02463E06F}"
EOF
    import_reg "$work/planted.reg"
}

# Does this Wine's COM read per-user registrations at all? A per-user ProgID planted for a class that
# is registered machine-wide (Scripting.Dictionary's CLSID) tells, independently of our DLL.
cat >"$work/control.vbs" <<'EOF'
On Error Resume Next
Dim d
Set d = CreateObject("SrTest.UserDictionary")
If Err.Number <> 0 Then WScript.Echo "failed " & Hex(Err.Number) Else WScript.Echo "ok " & TypeName(d)
EOF
per_user_classes_read() {
    local out
    out=$(w "$CSCRIPT" //nologo "$(winpath "$work/control.vbs")" | tr -d '\r')
    [ "$out" = "ok Dictionary" ] && return 0
    control_result=$out
    return 1
}

scenario_user() {
    plant_user
    typelib_controls
    user_view_control
    probe "$NOT_REGISTERED" "CreateObject fails before registration"
    export_reg before
    HKCU=$(user_root "$work/before.txt")
    if [ -z "$HKCU" ]; then fail "the planted per-user key is not in the export"; finish; fi
    check "the DLL is registered in neither scope to begin with" \
        eval "nothing_of_ours '$work/before.txt' '$HKLM' && nothing_of_ours '$work/before.txt' '$HKCU'"
    check "the per-user CLSID key does not exist yet" no_key "$work/before.txt" "$HKCU$UVIEW\\CLSID"

    regsvr "per-user unregistering of what was never registered succeeds" /u /n /i:user
    export_reg never
    same_registry before never "per-user unregistering of what was never registered changes nothing"

    regsvr "per-user registration" /n /i:user
    export_reg reg1
    expect_registered "$work/reg1.txt" "$HKCU"
    check "per-user registration writes none of our CLSID and ProgID keys machine-wide" nothing_of_ours "$work/reg1.txt" "$HKLM"
    if typelib_registered "$work/reg1.txt" "$HKCU"; then
        pass "the type library and Interface keys are registered for the user (RegisterTypeLibForUser)"
        check "and not machine-wide" eval "! has_subtree '$work/reg1.txt' '$HKLM\\TypeLib\\{$SR_LIBID}'"
    elif typelib_registered "$work/reg1.txt" "$HKLM"; then
        # Complete, but machine-wide: a gap of the platform only if its RegisterTypeLibForUser does
        # the same with a type library that is not ours (the control); otherwise our DllInstall
        # registered it machine-wide.
        if [ "$control_register_user" = machine ]; then
            skip "type library registered for the user only -- this Wine's RegisterTypeLibForUser registers machine-wide: the control type library (not ours, registered by tlbcontrol with RegisterTypeLibForUser) went to HKLM\\Software\\Classes\\TypeLib too; ours is complete there"
        else
            fail "per-user registration registered the type library machine-wide (HKLM\\Software\\Classes\\TypeLib), although this system's RegisterTypeLibForUser registers the control type library in scope '$control_register_user'"
        fi
    else
        fail "per-user registration registered the type library nowhere"
    fi
    if per_user_classes_read; then
        probe "CreateObject ok 1234567" "CreateObject works through the per-user registration"
    else
        skip "CreateObject through the per-user registration -- this Wine's COM does not read HKCU\\Software\\Classes: CreateObject of a per-user ProgID for the machine-registered Scripting.Dictionary gives '$control_result' too; the keys themselves are checked above"
    fi

    helper "registering per user a second time, with reg\\register.cmd user DLL" register.cmd user "$dll_win"
    export_reg reg2
    same_registry reg1 reg2 "registering per user twice writes nothing new"

    w "$REG" add "HKCU\\Software\\Classes\\$SR_VIPROGID\\CLSID" /ve /d "$OTHER_CLSID" /f >/dev/null
    helper "per-user unregistration with reg\\unregister.cmd user DLL" unregister.cmd user "$dll_win"
    export_reg unreg1
    check "per-user unregistration removed our CLSID and $SR_PROGID" \
        eval "no_key '$work/unreg1.txt' '$HKCU$UVIEW\\CLSID\\{$SR_CLSID}' && no_key '$work/unreg1.txt' '$HKCU\\$SR_PROGID'"
    check "per-user unregistration removed the CLSID key it had created" no_key "$work/unreg1.txt" "$HKCU$UVIEW\\CLSID"
    check "a per-user ProgID another server took over survives unregistration" \
        has_value "$work/unreg1.txt" "$HKCU\\$SR_VIPROGID\\CLSID" "@=\"$OTHER_CLSID\""
    regsvr "per-user unregistering a second time" /u /n /i:user
    check "the taken-over per-user ProgID survives the second unregistration too" taken_over "HKCU\\Software\\Classes"
    w "$REG" delete "HKCU\\Software\\Classes\\$SR_VIPROGID" /f >/dev/null
    export_reg after
    same_registry before after "the registry after per-user unregistration (twice) is exactly the registry before registering"
    check "the unrelated per-user ProgIDs survived" \
        eval "has_key '$work/after.txt' '$HKCU\\SrTest.UserUnrelated\\CLSID' && has_key '$work/after.txt' '$HKCU\\SharedRegion.RegionOther\\CLSID'"
    probe "$NOT_REGISTERED" "CreateObject fails again after per-user unregistration"
}

scenario_both() {
    plant_user
    typelib_controls
    user_view_control
    probe "$NOT_REGISTERED" "CreateObject fails before registration"
    export_reg before
    HKCU=$(user_root "$work/before.txt")
    if [ -z "$HKCU" ]; then fail "the planted per-user key is not in the export"; finish; fi
    check "the DLL is registered in neither scope to begin with" \
        eval "nothing_of_ours '$work/before.txt' '$HKLM' && nothing_of_ours '$work/before.txt' '$HKCU'"

    regsvr "machine-wide registration" 
    regsvr "per-user registration on top" /n /i:user
    export_reg both
    expect_registered "$work/both.txt" "$HKLM"
    expect_registered "$work/both.txt" "$HKCU"

    regsvr "per-user unregistration" /u /n /i:user
    export_reg machine_only
    check "the per-user keys are gone" nothing_of_ours "$work/machine_only.txt" "$HKCU"
    expect_registered "$work/machine_only.txt" "$HKLM"
    if typelib_registered "$work/machine_only.txt" "$HKLM"; then
        pass "the machine-wide type library registration survives per-user unregistration"
    elif [ "$control_unregister_user" = removes-machine ]; then
        skip "machine-wide type library kept through per-user unregistration -- this Wine's UnRegisterTypeLibForUser unregisters a machine-wide type library: it removed the control type library's (not ours, registered by tlbcontrol with RegisterTypeLib) too; our CLSID and ProgID keys in HKLM are intact"
    else
        fail "per-user unregistration removed the machine-wide type library registration"
    fi
    probe "CreateObject ok 1234567" "CreateObject still works through the machine-wide registration"

    regsvr "machine-wide unregistration" /u
    export_reg after
    same_registry before after "after both unregistrations the registry is exactly as before"
}

unregister_both_scopes
"scenario_$cmd"
finish
