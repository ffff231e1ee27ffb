#!/bin/sh
# The "build" of a tiny shell project: assemble build/greet from src/, then run its tests.
# Runs with busybox sh as well as bash; needs nothing but a POSIX shell.
set -eu
rm -rf build
mkdir -p build
{ echo '#!/bin/sh'; cat src/*.sh; echo 'greet "$@"'; } > build/greet
chmod +x build/greet
passed=0
for t in test/*.sh; do
  if ! sh "$t"; then
    echo "FAILED: $t"
    exit 1
  fi
  passed=$((passed + 1))
done
echo "BUILD OK: $passed tests passed"
