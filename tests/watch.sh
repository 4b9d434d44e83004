#!/usr/bin/env bash
# srclient watch against livepub (tests/helpers/livepub.c), as a person recording telemetry would run
# it: a seq publisher writing self-checking frames at full speed, recorded to CSV under the seq guard
# (every row checked against the publisher's formulas: no torn row), to JSON Lines from a named
# format, and a publisher that stops (watch says the frames went stale). An unguarded recording is
# made beside it and its torn rows counted, as a figure: it shows what the guard prevents.
# Usage: watch.sh WINE_SH SRCLIENT LIVEPUB WORKDIR
set -u
wine=$1 client=$2 pub=$3 work=$4
mkdir -p "$work"
passed=0 failed=0
ok() { echo "ok: $1"; passed=$((passed + 1)); }
bad() { echo "FAILED: $1"; failed=$((failed + 1)); }
win() { "$wine" winpath "$1" | tr -d '\r'; }
# srclient under a timeout: a Wine process that crashes waits for a debugger otherwise.
sc() { timeout 120 "$wine" run "$client" "$@"; }
start_pub() { # MODE NAME MS [args]: start livepub, wait for "ready"
    local mode=$1 name=$2 ms=$3; shift 3
    rm -f "$work/$name.pub"
    timeout 150 "$wine" run "$pub" "$mode" "$name" --ms "$ms" "$@" > "$work/$name.pub" 2>&1 &
    for _ in $(seq 100); do grep -q ready "$work/$name.pub" 2>/dev/null && return 0; sleep 0.1; done
    echo "livepub $mode $name did not start:"; cat "$work/$name.pub"; return 1
}
# check_rows CSV: every data row is one whole frame: field[k] = frame*254 + k, check = frame + sum.
check_rows() {
    awk -F, 'NR == 1 { next }
             { n = $2; bad = 0; sum = 0
               for (k = 0; k < 254; k++) { v = $(3 + k); if (v != (n * 254 + k) % 4294967296) bad = 1; sum += v }
               if ($(257) != (n + sum) % 4294967296) bad = 1
               rows++; if (bad) torn++ }
             END { printf "%d %d\n", rows, torn + 0 }' "$1"
}

fmt='<frame:I field:254I check:I'
start_pub seq SRWatchSeq 15000 || exit 1
csv=$work/seq.csv
sc watch SRWatchSeq "$fmt" --offset 64 --guard seq:0 --every 1ms --count 300 --csv "$(win "$csv")" 2> "$work/seq.err"
rc=$?
[ $rc = 0 ] && ok "watch --guard seq:0 --count 300 exits 0" || { bad "watch exited $rc"; cat "$work/seq.err"; }
head -c 60 "$csv" | head -n 1 | grep -q '^time,frame,field\[0\],field\[1\]' && ok "the CSV header names the fields" \
    || bad "CSV header: $(head -c 60 "$csv")"
read -r rows torn < <(check_rows "$csv")
[ "$rows" = 300 ] && ok "300 rows recorded" || bad "rows: $rows"
[ "$torn" = 0 ] && ok "no torn row among $rows guarded rows" || bad "$torn torn rows among $rows guarded rows"
awk -F, 'NR > 1 && $1 !~ /^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9][0-9][0-9]Z$/ { b++ }
         END { exit b > 0 }' "$csv" && ok "every time is UTC ISO 8601 with milliseconds" || bad "a time is malformed"

# The control: no guard, the same publisher. Torn rows are what the guard prevents (not asserted).
sc watch SRWatchSeq "$fmt" --offset 64 --every 1ms --count 300 --csv "$(win "$work/raw.csv")" 2> /dev/null
read -r rows torn < <(check_rows "$work/raw.csv")
echo "[ FIGURES ] unguarded: $torn torn rows of $rows (guarded: 0 of 300)"

# JSON Lines from a named format, with the time first.
sc watch SRWatchSeq '<frame:I field:2I' --offset 64 --guard seq:0 --count 3 --jsonl "$(win "$work/seq.jsonl")" 2> /dev/null
lines=$(wc -l < "$work/seq.jsonl")
[ "$lines" = 3 ] && ok "3 JSON lines" || bad "JSON lines: $lines"
if grep -qvE '^\{"time":"[0-9T:.Z-]+","frame":[0-9]+,"field":\[[0-9]+,[0-9]+\]\}.?$' "$work/seq.jsonl"; then
    bad "a JSON line is malformed: $(head -n 1 "$work/seq.jsonl")"
else
    ok "each JSON line is {time, frame, field[2]}"
fi
sed -E 's/.*"frame":([0-9]+),"field":\[([0-9]+),([0-9]+)\].*/\1 \2 \3/' "$work/seq.jsonl" \
    | awk '{ if ($2 != ($1 * 254) % 4294967296 || $3 != ($1 * 254 + 1) % 4294967296) b++ } END { exit b > 0 }' \
    && ok "each JSON line is one whole frame" || bad "a JSON line mixes frames: $(head -n 1 "$work/seq.jsonl")"
wait # the publisher ends by itself (--ms)

# A publisher that has stopped: the region outlives it, and watch says the frames went stale.
# The publisher writes for 3 s; watch opens the region within that, records for 6 s, and holds the
# region after the publisher exits.
start_pub seq SRWatchStale 3000 || exit 1
sc watch SRWatchStale '<frame:I' --offset 64 --every 50ms --duration 6000 --stale 1000 \
    > "$work/stale.csv" 2> "$work/stale.err"
wait
tr -d '\r' < "$work/stale.err" | grep -q 'no new frame for' && ok "a stopped publisher is said on stderr" \
    || bad "no stale message: $(tr -d '\r' < "$work/stale.err")"
rows=$(($(wc -l < "$work/stale.csv") - 1))
[ "$rows" -ge 20 ] && ok "it goes on recording ($rows rows in 6 s)" || bad "rows: $rows"

# --version prints the product version.
v=$(timeout 30 "$wine" run "$client" --version | tr -d '\r')
[ "$v" = "srclient ${SR_VERSION:-} (SharedRegion)" ] && ok "--version: $v" || bad "--version: '$v' (expected ${SR_VERSION:-})"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
