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

trips=${1:-50}
streams=${2:-10}
image=${3:-coi-test-min}
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
name=coi-test-bench-exec-$$
cp_file=$(mktemp /tmp/coi-bench-cp.XXXXXX)

cleanup() {
    incus delete --force "$name" </dev/null >/dev/null 2>&1 || true
    rm -f "$cp_file"
}
trap cleanup EXIT

# The reactor resolves coi-api to its target directories; the last module (coi-incus) writes the file.
if ! out=$(cd "$root" && mvn -B -ntp -q -Dcoi.setup.skip -DskipTests -pl coi-incus -am \
    test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" 2>&1); then
    echo "$out" >&2
    exit 1
fi
classpath="$(cat "$cp_file"):$root/coi-incus/target/classes:$root/coi-incus/target/test-classes"

# Quiet unless it fails: without a network the CLI prints hints on how to make one (we never do).
if ! out=$(incus launch "$image" "$name" --ephemeral -c user.coi.test=exec-vs-incus </dev/null 2>&1); then
    echo "$out" >&2
    exit 1
fi
echo "instance $name ($image); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg);" \
    "$(incus version </dev/null | tr '\n' ' ')"
java -cp "$classpath" dev.coi.incus.ExecBench "$name" "$trips" "$streams"
