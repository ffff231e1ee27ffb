#!/usr/bin/env bash
# Issue #14's figures. (1) The orchestrator example: 8 tasks of `sleep 3` over 1, 2, 4 and 8
# slots of one workspace, each a fresh JVM as a user runs it; wall time of the whole program
# (JVM start included) and of its run (sessions started, tasks run, sessions closed: its own
# "wall time"), against the ideal
# ceil(8/K) x 3 s. (2) The JUnit extension's cost per test over a session's own start, run and
# close (coi-junit's SandboxBench, a test-code main, warm JVM).
#
# Usage: bash bench/junit-and-orchestrator.sh [ROUNDS] [IMAGE]   (as root; defaults: 5 coi-test-min)
# Needs the host set up (images/setup-host.sh). Builds the test classes (never installs).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

rounds=${1:-5}
image=${2:-coi-test-min}
ws=$(mktemp -d /tmp/coi-bench-ws.XXXXXX)
home=$(mktemp -d /tmp/coi-bench-home.XXXXXX)
chown 1000:1000 "$ws"
# shellcheck disable=SC2064 # the paths are fixed now, on purpose
trap "rm -rf '$ws' '$home'" EXIT
export CLAUDE_ON_INCUS_IMAGE=$image CLAUDE_ON_INCUS_CONTAINER_PREFIX=coi-test-
export CLAUDE_ON_INCUS_SESSIONS_DIR=$home/sessions CLAUDE_ON_INCUS_MOUNT_CLAUDE_CONFIG=false

echo "orchestrator, 8 tasks of 'sleep 3', $image; $(bench_machine)"
examples_cp=$(bench_classpath coi-examples)
printf '%-6s %-13s %-11s %-14s %-16s %-15s %s\n' slots "program (ms)" "run (ms)" "ideal run (s)" "run speed-up" "ideal speed-up" "program speed-up"
t1= p1=
for k in 1 2 4 8; do
    start=$(date +%s%N)
    out=$(java -cp "$examples_cp" dev.coi.examples.Orchestrator "$ws" "$k" 8 'sleep 3')
    total=$(( ($(date +%s%N) - start) / 1000000 ))
    tasks=$(echo "$out" | sed -n 's/.*wall time \([0-9.]*\) s/\1/p' | awk '{ printf "%d", $1 * 1000 }')
    rounds_needed=$(( (8 + k - 1) / k ))
    [[ -n $t1 ]] || { t1=$tasks; p1=$total; }
    printf '%-6s %-13s %-11s %-14s %-16s %-15s %s\n' "$k" "$total" "$tasks" "$(( rounds_needed * 3 ))" \
        "$(awk -v a="$t1" -v b="$tasks" 'BEGIN { printf "%.2f", a / b }')" \
        "$(awk -v r="$rounds_needed" 'BEGIN { printf "%.2f", 8 / r }')" \
        "$(awk -v a="$p1" -v b="$total" 'BEGIN { printf "%.2f", a / b }')"
done

echo
echo "JUnit extension per test, $image, $rounds rounds of 5 tests; $(bench_machine)"
junit_cp=$(bench_classpath coi-junit)
java -cp "$junit_cp" dev.coi.junit.SandboxBench "$rounds"
