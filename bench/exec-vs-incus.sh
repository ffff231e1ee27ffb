#!/usr/bin/env bash
# Times execs on ONE running instance through coi-incus (in a warm JVM) against the incus CLI:
#   (a) a `true` round trip: IncusClient exec().run (captured) and exec().start().waitFor(),
#       against `incus exec NAME -- true`;
#   (b) 100 MiB of stdout: ExecProcess.stdout() read to its end, against
#       `incus exec NAME -- head -c 104857600 /dev/zero > /dev/null`.
# The Java side (dev.coi.incus.ExecBench, a test class) warms up first, then runs both sides by
# turns, so that each meets the same load; it prints medians, minima and ratios.
#
# Usage: bash bench/exec-vs-incus.sh [ROUND_TRIPS] [STREAMS] [IMAGE]   (as root; defaults: 50 10 coi-test-min)
# Needs the host set up (images/setup-host.sh). Builds coi-incus's test classes (never installs).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

trips=${1:-50}
streams=${2:-10}
image=${3:-coi-test-min}
name=coi-test-bench-exec-$$

cleanup() {
    incus delete --force "$name" </dev/null >/dev/null 2>&1 || true
}
trap cleanup EXIT

classpath=$(bench_classpath coi-incus)

# Quiet unless it fails: without a network the CLI prints hints on how to make one (we never do).
if ! out=$(incus launch "$image" "$name" --ephemeral -c user.coi.test=exec-vs-incus </dev/null 2>&1); then
    echo "$out" >&2
    exit 1
fi
echo "instance $name ($image); $(bench_machine)"
java -cp "$classpath" dev.coi.incus.ExecBench "$name" "$trips" "$streams"
