#!/usr/bin/env bash
# SharedRegion: a 32-bit and a 64-bit process share one region, its lock and its signal, in both
# directions, and a file-backed region beyond 4 GiB, in one Wine prefix where both DLLs are
# registered (each in its own registry view). Run by the x86 build's CTest when it knows the x64
# build (SR_PEER_BUILD, set by .ci/test).
#   crossbitness.sh X86_BUILD X64_BUILD
# Prints PASS/FAIL lines and "RESULT: N passed, N failed"; exits 1 on any failure. Where 32-bit
# Wine is missing it prints "SKIP: 32-bit Wine is not available: ..." (wine.sh) and exits 77.
set -u
b32=$1 b64=$2
w="$b32/wine.sh"                       # the x86 build's prefix; run32/run64 name the loader
c32="$b32/client/srclient.exe" c64="$b64/client/srclient.exe"
work=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() { echo "RESULT: $passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }

# bits: run32 or run64; srclient of that bitness.
sc() { local bits=$1; shift; if [ "$bits" = 32 ]; then "$w" run32 "$c32" "$@"; else "$w" run64 "$c64" "$@"; fi; }
# expect WHAT EXPECTED-EXIT EXPECTED-STDOUT-REGEX BITS ARGS...
expect() {
    local what=$1 rc_want=$2 re=$3 bits=$4 out rc
    shift 4
    sc "$bits" "$@" >"$work/out" 2>&1; rc=$?
    out=$(tr -d '\r' <"$work/out")
    if [ "$rc" = "$rc_want" ] && printf '%s\n' "$out" | grep -Eq -- "$re"; then pass "$what"
    else fail "$what: exit $rc (expected $rc_want), output: $out"; fi
}
# wait_for FILE TEXT: until a background process printed TEXT (at most 60 s).
wait_for() {
    local i
    for i in $(seq 600); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}

# Where 32-bit programs cannot run, wine.sh says why ("SKIP: ...") and exits 77: so does this test.
if ! out=$("$w" run32 "$c32" help 2>&1); then printf '%s\n' "$out" | tr -d '\r' | grep '^SKIP:' || printf '%s\n' "$out"; exit 77; fi
"$w" register "$b32/sharedregion.dll" || { fail "registering the 32-bit DLL (SysWOW64\\regsvr32)"; finish; }
dll64=$("$w" winpath "$b64/sharedregion.dll")
if "$w" run64 'C:\windows\system32\regsvr32.exe' /s "$dll64"; then
    pass "both DLLs registered in one prefix: the 32-bit one by SysWOW64\\regsvr32, the 64-bit one by System32\\regsvr32"
else
    fail "registering the 64-bit DLL (System32\\regsvr32)"; finish
fi

# direction CREATOR PEER: CREATOR creates, writes, locks and holds the region until signalled; PEER
# opens it, reads, writes back, finds the lock taken, takes it once free, and signals the creator.
direction() {
    local a=$1 b=$2 name="sr-xb-$1to$2-$$" log="$work/holder-$1.log" lk="$work/lock-$1.log" hp lp rc
    sc "$a" create "$name" 1M --text "written by the $a-bit process" --signal --timeout 120s >"$log" 2>&1 &
    hp=$!; pids+=("$hp")
    if ! wait_for "$log" '^holding'; then fail "$a-bit create: $(tr -d '\r' <"$log")"; return; fi
    expect "$a-bit creates, the $b-bit process opens it (info: 1048576 bytes)" 0 '1048576' "$b" info "$name"
    expect "the $b-bit process reads what the $a-bit process wrote" 0 "^written by the $a-bit process\$" "$b" read "$name"
    expect "the $b-bit process writes at 0x1000" 0 '' "$b" write "$name" --offset 0x1000 --text "answer from the $b-bit process"
    expect "the $a-bit process reads the answer" 0 "^answer from the $b-bit process\$" "$a" read "$name" --offset 0x1000
    # The lock: held by the creator's bitness for 3 s; the peer times out, then takes it.
    sc "$a" lock "$name" --for 3s >"$lk" 2>&1 &
    lp=$!; pids+=("$lp")
    if wait_for "$lk" '^locked'; then
        expect "while the $a-bit process holds the lock, the $b-bit process's Lock times out (exit 5)" 5 'timed out' "$b" lock "$name" --timeout 300ms --for 0ms
        wait "$lp"; rc=$?
        [ $rc = 0 ] && pass "the $a-bit process unlocked (exit 0)" || fail "the $a-bit lock exited $rc: $(tr -d '\r' <"$lk")"
        expect "then the $b-bit process takes the lock" 0 '^locked' "$b" lock "$name" --timeout 10s --for 0ms
    else
        fail "the $a-bit lock did not start: $(tr -d '\r' <"$lk")"
    fi
    # The signal: the peer signals, the creator (waiting on it) lets go.
    expect "the $b-bit process signals" 0 '' "$b" signal "$name"
    wait "$hp"; rc=$?
    if [ $rc = 0 ] && tr -d '\r' <"$log" | grep -q '^released.*signalled'; then pass "the $a-bit creator was released by the $b-bit signal"
    else fail "the $a-bit creator exited $rc: $(tr -d '\r' <"$log")"; fi
}
direction 32 64
direction 64 32

# A file-backed region beyond 4 GiB: a script host of one bitness opens a 5 GiB file as a named
# region and writes at 4.5 GiB; srclient of the other bitness opens it by name (measured without
# mapping it), reads there, writes at 4.5 GiB + 4 KiB and signals; the script reads the answer.
bigfile() {
    local a=$1 b=$2 name="sr-xb-big$1-$$" file="$work/big$1.bin" log="$work/big$1.log" sp rc
    : >"$file"
    "$w" "cscript$a" //nologo "$("$w" winpath "$(dirname "$0")/scripts/bigpeer.vbs")" "$("$w" winpath "$file")" \
        "$name" "beyond 4 GiB from $a bits" >"$log" 2>&1 &
    sp=$!; pids+=("$sp")
    if ! wait_for "$log" '^ready'; then fail "$a-bit cscript OpenFile of a 5 GiB file: $(tr -d '\r' <"$log")"; return; fi
    expect "the $b-bit process opens the $a-bit script's 5 GiB file-backed region by name" 0 '5368709120' "$b" info "$name"
    expect "the $b-bit process reads at 4.5 GiB" 0 "^beyond 4 GiB from $a bits\$" "$b" read "$name" --offset 4831838208
    expect "the $b-bit process writes at 4.5 GiB + 4 KiB and signals" 0 '' "$b" write "$name" --offset 4831842304 --text "answer from $b bits"
    sc "$b" signal "$name" >/dev/null 2>&1
    wait "$sp"; rc=$?
    if tr -d '\r' <"$log" | grep -q "^peer wrote: answer from $b bits\$" && tr -d '\r' <"$log" | grep -q 'RESULT: [1-9][0-9]* passed, 0 failed'; then
        pass "the $a-bit script read the $b-bit answer beyond 4 GiB"
    else
        fail "the $a-bit script (exit $rc): $(tr -d '\r' <"$log")"
    fi
}
bigfile 32 64
bigfile 64 32
finish
