#!/usr/bin/env bash
# Times `incus exec NAME -- true` in one running container under three id maps: none (the shifted
# mounts of a uid-1000 workspace), `raw.idmap` mapping host root (a root-owned workspace), and
# `raw.idmap` mapping host uid 1000. When a map gives a container user host root, Incus runs every
# exec from a sealed copy of its own binary (liblxc's memfd re-exec, the CVE-2019-5736 mitigation),
# which costs each exec the copy of that binary (docs/BENCHMARKS.md, "Session 8").
#
# Usage: bash bench/exec-idmap.sh [EXECS] [IMAGE]   (as root; defaults: 15 coi-sandbox)
# Needs the host set up (images/setup-host.sh). Prints the median and minimum of each, in ms.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

execs=${1:-15}
image=${2:-coi-sandbox}
name=coi-test-bench-idmap-$$
trap 'incus delete --force "$name" </dev/null >/dev/null 2>&1 || true' EXIT

incus init "$image" "$name" --config user.coi.bench=exec-idmap </dev/null >/dev/null 2>&1

# times_under MAP LABEL: (re)starts the container with raw.idmap MAP (empty: none), then times.
times_under() {
    local map=$1 label=$2 times=() i t0
    incus stop --force "$name" </dev/null >/dev/null 2>&1 || true
    if [[ -n $map ]]; then
        incus config set "$name" raw.idmap "$map" </dev/null
    elif [[ -n $(incus config get "$name" raw.idmap </dev/null) ]]; then
        incus config unset "$name" raw.idmap </dev/null
    fi
    incus start "$name" </dev/null 2>/dev/null # (its warning that there is no network)
    incus exec "$name" -- true </dev/null # the first exec after a start pays for the boot
    for ((i = 0; i < execs; i++)); do
        t0=$EPOCHREALTIME
        incus exec "$name" -- true </dev/null
        times+=($(((${EPOCHREALTIME/./} - ${t0/./}) / 1000)))
    done
    printf '%-34s median %4d ms   min %4d ms\n' "$label" \
        "$(printf '%s\n' "${times[@]}" | bench_median)" \
        "$(printf '%s\n' "${times[@]}" | sort -n | head -1)"
}

bench_machine
echo "image $image, $execs execs each (the incus client's own start included)"
times_under "" "no raw.idmap"
times_under $'uid 0 1000\ngid 0 1000' "raw.idmap host root -> 1000"
times_under $'uid 1000 1000\ngid 1000 1000' "raw.idmap host 1000 -> 1000"
