#!/usr/bin/env bash
# `coi run true` of several checkouts by turns, for a before/after on one machine in one window:
# each round runs every checkout's own launcher once, in the order given, in an empty workspace.
# Prints, per checkout, the median and lowest wall time and the median CPU (user + sys) per run.
#
# Usage: bash bench/ab-run.sh ROUNDS CHECKOUT... (as root; e.g. a worktree of an older commit:
#        git worktree add /tmp/coi-old 4aee489 && (cd /tmp/coi-old && COI_SKIP_SETUP=1 ./coi version))
# Run each checkout's `coi run true` a few times first: its launcher records its class-data archive
# (or AOT cache) from a complete run and uses it from the next one. COI_JAVA picks the JVM of the
# launchers that know it.
set -euo pipefail
rounds=${1:?rounds}
shift
ws=$(mktemp -d /tmp/coi-ab-ws.XXXXXX)
log=$(mktemp /tmp/coi-ab.XXXXXX)
trap 'rm -rf "$ws" "$log" "$log.cpu"' EXIT
chown 1000:1000 "$ws"
echo "ab-run: $rounds rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= rounds; i++)); do
    for checkout in "$@"; do
        t0=$(date +%s%N)
        (cd "$ws" && COI_SKIP_SETUP=1 /usr/bin/time -f '%U %S' -o "$log.cpu" "$checkout/coi" run true) \
            >/dev/null || echo "FAILED: $checkout round $i" >&2
        t1=$(date +%s%N)
        echo "$checkout $(((t1 - t0) / 1000000)) $(cat "$log.cpu")" >>"$log"
    done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for checkout in "$@"; do
    walls=$(awk -v c="$checkout" '$1 == c { print $2 }' "$log")
    cpus=$(awk -v c="$checkout" '$1 == c { print $3 + $4 }' "$log")
    echo "$checkout: $(wc -l <<<"$walls") runs, wall median $(median <<<"$walls") ms," \
        "lowest $(sort -n <<<"$walls" | head -1) ms; CPU median $(median <<<"$cpus") s"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
