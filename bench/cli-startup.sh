#!/usr/bin/env bash
# Times the CLI's own start-up: `./coi version`, `./coi --help` and `./coi run true` (image
# coi-test-min), with each JVM the launcher can use: its default (a JDK 25 under /usr/lib/jvm when
# installed: AOT cache) and JDK 17 (COI_JAVA, AppCDS archive). With OTHER_ROOT (another checkout,
# e.g. `git worktree add /tmp/coi-main main`), that checkout's launcher runs too, by turns with this
# one's. Each variant's start-up cache is recorded first, as users get it (a real run, then a launch).
#
# Prints, per variant, the median CPU time (user + sys of the launcher and what it waits for; what
# a loaded machine distorts least) and the median wall time (needs a quiet machine), then the
# classes each loads and how many of them came from outside the cache (jar or JDK image).
#
# Usage: bash bench/cli-startup.sh [RUNS] [OTHER_ROOT]   (as root; defaults: 15, none)
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

runs=${1:-15}
other=${2:-}
jdk17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
ws=$(mktemp -d /tmp/coi-bench-ws.XXXXXX)
times=$(mktemp /tmp/coi-bench-time.XXXXXX)
chown 1000:1000 "$ws"
trap 'rm -rf "$ws" "$times"' EXIT

# Variants: NAME ROOT COI_JAVA ("" = the launcher's own choice).
names=() roots=() javas=()
add() { names+=("$1") roots+=("$2") javas+=("$3"); }
add "this, default JVM" "$bench_root" ""
add "this, JDK 17" "$bench_root" "$jdk17"
if [[ -n $other ]]; then
    add "other, default JVM" "$other" ""
    add "other, JDK 17" "$other" "$jdk17"
fi

# coi [TIME...] -- ROOT JAVA ARGS...: one launch as a user makes it (run by TIME when given), output
# discarded.
coi() {
    local timer=()
    while [[ $1 != -- ]]; do timer+=("$1") && shift; done
    local root=$2 java=$3
    shift 3
    "${timer[@]}" env -C "$ws" ${java:+COI_JAVA="$java"} CLAUDE_ON_INCUS_IMAGE=coi-test-min \
        CLAUDE_ON_INCUS_CONTAINER_PREFIX=coi-test-bench-start- "$root/coi" "$@" </dev/null >/dev/null
}

# Wait until the last run's container is gone, and no launcher builds a cache.
settle() {
    local deadline=$((SECONDS + 60)) root
    while incus list -f csv -c n </dev/null | grep -q '^coi-test-bench-start-'; do
        ((SECONDS < deadline)) || { echo "bench: containers did not go away" >&2; exit 1; }
        sleep 0.1
    done
    for root in "${roots[@]}"; do
        flock -w 120 "$root/coi-cli/target/.coi-cache.lock" true
    done
}

echo "warming up: each variant records its start-up cache"
for i in "${!names[@]}"; do
    coi -- "${roots[$i]}" "${javas[$i]}" version # builds the CLI when needed
    coi -- "${roots[$i]}" "${javas[$i]}" run true; settle
    coi -- "${roots[$i]}" "${javas[$i]}" version; settle # promotes the recording
    coi -- "${roots[$i]}" "${javas[$i]}" run true; settle
done

declare -A cpu wall
for ((r = 1; r <= runs; r++)); do
    for cmd in version --help "run true"; do
        for i in "${!names[@]}"; do
            # shellcheck disable=SC2086 # cmd is split into its words on purpose
            coi /usr/bin/time -o "$times" -f '%e %U %S' -- "${roots[$i]}" "${javas[$i]}" $cmd
            read -r e u s <"$times"
            wall[$i,$cmd]+="$(awk -v e="$e" 'BEGIN { printf "%d", e * 1000 }') "
            cpu[$i,$cmd]+="$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000 }') "
            [[ $cmd != run* ]] || settle
        done
    done
done

median() { tr ' ' '\n' | grep . | bench_median; }
echo "$runs runs by turns; $(bench_machine)"
printf '%-22s %-10s %14s %15s\n' variant command "CPU median ms" "wall median ms"
for cmd in version --help "run true"; do
    for i in "${!names[@]}"; do
        printf '%-22s %-10s %14d %15d\n' "${names[$i]}" "$cmd" \
            "$(median <<<"${cpu[$i,$cmd]}")" "$(median <<<"${wall[$i,$cmd]}")"
    done
done

echo "classes loaded (all / not from the cache nor the JDK's own archive):"
for cmd in version --help "run true"; do
    for i in "${!names[@]}"; do
        log=$(mktemp /tmp/coi-bench-classes.XXXXXX)
        # shellcheck disable=SC2086 # cmd is split into its words on purpose
        COI_JAVA_OPTS="-Xlog:class+load:file=$log" coi -- "${roots[$i]}" "${javas[$i]}" $cmd
        [[ $cmd != run* ]] || settle
        printf '%-22s %-10s %5d / %4d\n' "${names[$i]}" "$cmd" "$(grep -c . "$log")" \
            "$(grep -vc 'shared objects file' "$log")"
        rm -f "$log"
    done
done
