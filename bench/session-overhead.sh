#!/usr/bin/env bash
# Times what coi adds to the daemon's own work for one session: in a warm JVM, N times the engine's
# start(), run("true") and close() (dev.coi.core.internal.SessionBench, a test class), against the
# summed duration of the daemon operations that session caused (create+start, exec, stop/delete;
# updated_at - created_at of each, from the daemon's operation events). Prints each run, then
# median and p90 of coi's wall time, of the daemon's time, and of coi's overhead in % of the latter.
#
# Usage: bash bench/session-overhead.sh [RUNS] [IMAGE]   (as root; defaults: 20 coi-test-min)
# Needs the host set up (images/setup-host.sh). Builds coi-core's test classes (never installs).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

runs=${1:-20}
image=${2:-coi-test-min}
bench_sessions overhead "$runs" "$image" "session overhead, $runs runs"
