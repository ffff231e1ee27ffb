#!/usr/bin/env bash
# Helpers shared by the bench/*.sh scripts; source it, do not run it.

bench_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)

# bench_classpath MODULE: compiles MODULE's test classes (and the modules it needs; never
# installs) and prints the class path to run a test-code main of MODULE with.
bench_classpath() {
    local module=$1 cp_file out
    cp_file=$(mktemp /tmp/coi-bench-cp.XXXXXX)
    # The reactor resolves our modules to their target directories; the last module writes the file.
    if ! out=$(cd "$bench_root" && mvn -B -ntp -q -Dcoi.setup.skip -DskipTests -pl "$module" -am \
        test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" 2>&1); then
        echo "$out" >&2
        rm -f "$cp_file"
        return 1
    fi
    echo "$(cat "$cp_file"):$bench_root/$module/target/classes:$bench_root/$module/target/test-classes"
    rm -f "$cp_file"
}

# bench_machine: one line on the machine, its load and its speed, printed with every run. The
# speed is the time of a fixed busy loop in bash: these machines' CPUs vary from day to day, and a
# JVM's start suffers more from a slow one than the daemon does (docs/BENCHMARKS.md, "Session 8").
bench_machine() {
    local t0=$EPOCHREALTIME i=0
    while ((i < 100000)); do ((i += 1)); done
    echo "$(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg);" \
        "CPU probe $(((${EPOCHREALTIME/./} - ${t0/./}) / 1000)) ms;" \
        "$(incus version </dev/null | tr '\n' ' ')"
}

# bench_median: the median of the integers on stdin, one a line.
bench_median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# bench_sessions MODE COUNT IMAGE TITLE: runs coi-core's SessionBench MODE (overhead, parallel)
# with COUNT sessions on IMAGE, in a fresh workspace owned by uid 1000 and a fresh home, both
# removed afterwards.
bench_sessions() {
    local mode=$1 count=$2 image=$3 title=$4 ws home classpath
    ws=$(mktemp -d /tmp/coi-bench-ws.XXXXXX)
    home=$(mktemp -d /tmp/coi-bench-home.XXXXXX)
    chown 1000:1000 "$ws"
    # shellcheck disable=SC2064 # the paths are fixed now, on purpose
    trap "rm -rf '$ws' '$home'" EXIT
    classpath=$(bench_classpath coi-core)
    echo "$title, $image; $(bench_machine)"
    java -cp "$classpath" dev.coi.core.internal.SessionBench "$mode" "$count" "$image" "$ws" "$home"
}
