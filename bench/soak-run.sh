#!/usr/bin/env bash
# Soak test of the README's first command: runs `coi run "echo hello"` RUNS times one after another,
# then PARALLEL_RUNS times with JOBS at once, all on one workspace, and counts the runs that failed
# (exit code not 0, or stdout not exactly "hello") and the distinct error messages they printed
# (stderr lines, numbers and container names blanked so one fault counts once). A Java stack trace
# on stderr ("Exception in thread", "\tat ") counts as a failure of its own. Prints the time per run
# (median, p90) of the sequential runs and the wall time of the parallel part.
#
# Usage: bash bench/soak-run.sh [RUNS] [PARALLEL_RUNS] [JOBS] [IMAGE]
#        (as root; defaults: 1000 200 4 coi-sandbox)
# COI=/path/to/coi runs another launcher (e.g. a copy of an older commit, for a before/after).
# Needs the host set up (images/setup-host.sh); the launcher builds the CLI if needed.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

runs=${1:-1000}
parallel_runs=${2:-200}
jobs=${3:-4}
image=${4:-coi-sandbox}
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
coi=${COI:-$root/coi}
"$coi" version >/dev/null # builds the CLI if needed

ws=$(mktemp -d /tmp/coi-soak-ws.XXXXXX)
kept=/tmp/coi-soak-failures.$(date -u +%Y%m%dT%H%M%S)
out=$(mktemp -d /tmp/coi-soak-out.XXXXXX)
chown 1000:1000 "$ws"
trap 'rm -rf "$ws" "$out"' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# once N: one run; leaves N.rc, N.out, N.err and N.ms in $out.
once() {
    local n=$1 t0 t1 rc=0
    t0=$(now_ms)
    (cd "$ws" && CLAUDE_ON_INCUS_IMAGE=$image CLAUDE_ON_INCUS_CONTAINER_PREFIX=coi-test-soak- \
        "$coi" run "echo hello") </dev/null >"$out/$n.out" 2>"$out/$n.err" || rc=$?
    t1=$(now_ms)
    echo "$rc" >"$out/$n.rc"
    echo $((t1 - t0)) >"$out/$n.ms"
}

# report PREFIX: counts the failures among the runs whose files start with PREFIX.
report() {
    local prefix=$1 total=0 failed=0 traces=0 f n
    for f in "$out/$prefix"*.rc; do
        n=${f%.rc}
        total=$((total + 1))
        if [[ $(cat "$f") != 0 || $(cat "$n.out") != hello ]]; then
            failed=$((failed + 1))
            # Kept past the clean-up, with the time of the failure, to match with the daemon's log.
            mkdir -p "$kept"
            cp "$n.err" "$n.out" "$f" "$kept/"
            date -u -r "$f" +%FT%T >"$kept/$(basename "$n").when"
        fi
        if grep -qE '^Exception in thread|^[[:space:]]+at [a-zA-Z]' "$n.err"; then
            traces=$((traces + 1))
        fi
    done
    echo "  runs $total, failed $failed, with a Java stack trace $traces"
    if ((failed > 0)); then echo "  the failed runs' output and time: $kept"; fi
    cat "$out/$prefix"*.err 2>/dev/null |
        sed -E 's/(coi-test-soak-|claude-)[0-9a-f]{8}-[0-9]+/CONTAINER/g; s/[0-9]+/N/g' |
        sort | uniq -c | sort -rn | sed 's/^/  error: /' | head -20
    echo "  distinct error lines: $(cat "$out/$prefix"*.err 2>/dev/null |
        sed -E 's/(coi-test-soak-|claude-)[0-9a-f]{8}-[0-9]+/CONTAINER/g; s/[0-9]+/N/g' | sort -u | wc -l)"
}

echo "soak, image $image; $(bench_machine)"
if ((runs > 0)); then
    once warm # warm the page cache and the image's first clone; not counted
    rm -f "$out"/warm.*
    t0=$(now_ms)
    for ((i = 1; i <= runs; i++)); do
        once "s$i"
        if ((i % 100 == 0)); then echo "  ... $i runs, load average $(cut -d' ' -f1-3 /proc/loadavg)"; fi
    done
    t1=$(now_ms)
    echo "sequential: $runs runs in $(((t1 - t0) / 1000)) s"
    echo "  per run: median $(cat "$out"/s*.ms | bench_median) ms," \
        "p90 $(cat "$out"/s*.ms | sort -n | awk '{ a[NR] = $1 } END { print a[int(NR * 0.9 + 0.5)] }') ms"
    report s
fi
if ((parallel_runs > 0)); then
    t0=$(now_ms)
    export -f once now_ms
    export ws out image coi
    seq 1 "$parallel_runs" | xargs -P "$jobs" -I{} bash -c 'once p{}'
    t1=$(now_ms)
    echo "parallel: $parallel_runs runs, $jobs at once, in $(((t1 - t0) / 1000)) s" \
        "($(((t1 - t0) / parallel_runs)) ms per run); load average $(cut -d' ' -f1-3 /proc/loadavg)"
    report p
fi
