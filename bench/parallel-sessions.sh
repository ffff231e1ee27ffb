#!/usr/bin/env bash
# N sessions on ONE workspace, in a warm JVM (dev.coi.core.internal.SessionBench, a test class):
# all started at once from N threads, one run("true") each, all closed; against the same N one
# after another. Three rounds; each prints both wall times, the slots the parallel sessions got
# (must be 1..N: no collision, no failure) and the daemon operations that failed meanwhile.
#
# Usage: bash bench/parallel-sessions.sh [SESSIONS] [IMAGE]   (as root; defaults: 10 coi-test-min)
# Needs the host set up (images/setup-host.sh). Builds coi-core's test classes (never installs).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

sessions=${1:-10}
image=${2:-coi-test-min}
bench_sessions parallel "$sessions" "$image" "parallel sessions, $sessions sessions"
