#!/usr/bin/env bash
# Times `./coi run true` (the launcher, as users run it) against the same job done with the incus CLI the way the Go coi does it:
# launch, three `config set`, a workspace `device add`, `exec` as uid 1000, `delete --force`.
# Runs alternate between the two; prints each time, then the median of each and their ratio.
#
# Usage: bash bench/run-vs-incus-cli.sh [RUNS] [IMAGE]      (as root; defaults: 10 coi-sandbox)
# Needs the host set up (images/setup-host.sh) and the CLI built (./coi version builds it).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

runs=${1:-10}
image=${2:-coi-sandbox}
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
"$root/coi" version >/dev/null # builds the CLI if needed

ws=$(mktemp -d /tmp/coi-bench-ws.XXXXXX)
chown 1000:1000 "$ws"
trap 'rm -rf "$ws"' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }

coi_once() {
    (cd "$ws" && CLAUDE_ON_INCUS_IMAGE=$image CLAUDE_ON_INCUS_CONTAINER_PREFIX=coi-test-bench- \
        "$root/coi" run true) </dev/null
}

incus_cli_once() {
    local name=coi-test-bench-cli-$1
    incus launch "$image" "$name" --ephemeral </dev/null >/dev/null 2>&1
    incus config set "$name" security.nesting=true </dev/null
    incus config set "$name" security.syscalls.intercept.mknod=true </dev/null
    incus config set "$name" security.syscalls.intercept.setxattr=true </dev/null
    incus config device add "$name" workspace disk source="$ws" path=/workspace shift=true </dev/null >/dev/null
    incus exec "$name" --user 1000 --group 1000 --cwd /workspace -- true </dev/null
    incus delete --force "$name" </dev/null
}

# Wait until the previous run's container is gone, so runs do not overlap.
settle() {
    local deadline=$((SECONDS + 30))
    while incus list -f csv -c n </dev/null | grep -q '^coi-test-bench-'; do
        ((SECONDS < deadline)) || { echo "bench: containers did not go away" >&2; exit 1; }
        sleep 0.1
    done
}

coi_times=() cli_times=()
coi_once >/dev/null; settle # warm the page cache and the image's first clone
for ((i = 1; i <= runs; i++)); do
    t0=$(now_ms); coi_once; t1=$(now_ms); settle
    t2=$(now_ms); incus_cli_once "$i"; t3=$(now_ms); settle
    coi_times+=($((t1 - t0))) cli_times+=($((t3 - t2)))
    printf 'run %2d: coi run %5d ms   incus CLI sequence %5d ms\n' "$i" $((t1 - t0)) $((t3 - t2))
done
coi_median=$(printf '%s\n' "${coi_times[@]}" | bench_median)
cli_median=$(printf '%s\n' "${cli_times[@]}" | bench_median)
echo "image $image, $runs runs; $(bench_machine)"
echo "median: coi run true ${coi_median} ms; incus CLI sequence ${cli_median} ms"
awk -v a="$coi_median" -v b="$cli_median" 'BEGIN { printf "coi takes %.2f of the incus CLI time (%.1fx faster)\n", a / b, b / a }'
