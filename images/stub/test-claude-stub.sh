#!/usr/bin/env bash
# Self-contained test of images/stub/claude-stub, run on the host. Every case
# runs the stub with a throw-away HOME and working directory, and asserts one
# behaviour a wrapper relies on: version, banner and session id, echo, the
# transcript file and its location, settings.json, /exit and EOF, --resume
# with and without an id, the resume error, -p/--print, accepted and unknown
# flags. Prints "N passed, M failed" and exits non-zero when anything failed.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
STUB=${CLAUDE_STUB:-$here/claude-stub}
[[ -x $STUB ]] || { echo "test-claude-stub: $STUB is not executable" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
export HOME=$tmp/home
mkdir -p "$HOME" "$tmp/workspace" "$tmp/other.dir"
# The project directory the stub must use for cwd $tmp/workspace.
proj_name=${tmp//[^A-Za-z0-9-]/-}-workspace
proj=$HOME/.claude/projects/$proj_name

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$1"; [[ -z ${2:-} ]] || printf '     %s\n' "$2"; }
check() { # description, then a command
    local d=$1; shift
    if "$@"; then ok "$d"; else fail "$d" "command: $*"; fi
}

# run STDIN ARGS... : runs the stub in $tmp/workspace; sets out, err, rc
run() {
    local input=$1; shift
    set +e
    out=$(cd "$tmp/workspace" && printf '%s' "$input" | "$STUB" "$@" 2>"$tmp/err")
    rc=$?
    set -e
    err=$(<"$tmp/err")
}
contains() { [[ $1 == *"$2"* ]]; }
matches() { [[ $1 =~ $2 ]]; }
uuid_re='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

# --version
run '' --version
check '--version exits 0' test "$rc" -eq 0
check '--version prints name and version' contains "$out" 'claude-stub 1.0.0 (Claude Code stand-in)'

# new session: banner with a generated uuid, echo, transcript, settings
run $'hello world\nsecond "quoted" \\ line\n/exit\nnot reached\n'
check 'new session exits 0 on /exit' test "$rc" -eq 0
banner=$(head -n 1 <<<"$out")
sid=${banner#claude-stub ready, session }
check 'banner line names the session' contains "$banner" 'claude-stub ready, session '
check 'generated session id is a uuid' matches "$sid" "$uuid_re"
check 'echoes a line with the suffix' contains "$out" 'hello world [echoed by claude-stub]'
check 'echoes quotes and backslashes verbatim' contains "$out" 'second "quoted" \ line [echoed by claude-stub]'
check 'stops reading at /exit' eval '! contains "$out" "not reached"'
check 'transcript in projects/<cwd with - for />/<id>.jsonl' test -f "$proj/$sid.jsonl"
check 'transcript has one JSON line per input line' test "$(wc -l <"$proj/$sid.jsonl")" -eq 2
check 'transcript lines are valid JSON with the content' \
    bash -c 'command -v jq >/dev/null || exit 0; jq -e -s ".[1].message.content == \"second \\\"quoted\\\" \\\\ line\" and .[0].sessionId == \"$1\"" "$2" >/dev/null' _ "$sid" "$proj/$sid.jsonl"
check 'settings.json written' test -s "$HOME/.claude/settings.json"
check 'settings.json is valid JSON' bash -c 'command -v jq >/dev/null || exit 0; jq -e . "$1" >/dev/null' _ "$HOME/.claude/settings.json"

# an existing settings.json is kept
echo '{"mine":true}' >"$HOME/.claude/settings.json"
run $'x\n'
check 'EOF ends the session with 0' test "$rc" -eq 0
check 'existing settings.json kept' test "$(<"$HOME/.claude/settings.json")" = '{"mine":true}'

# --session-id
run $'with id\n' --session-id 11111111-2222-3333-4444-555555555555
check '--session-id: banner uses the id' contains "$out" 'claude-stub ready, session 11111111-2222-3333-4444-555555555555'
check '--session-id: transcript under that id' test -f "$proj/11111111-2222-3333-4444-555555555555.jsonl"
run '' --session-id '../evil'
check '--session-id rejects a path' test "$rc" -eq 2

# --resume ID: prints the earlier transcript, continues that session
run $'more\n' --resume "$sid"
check '--resume ID exits 0' test "$rc" -eq 0
check '--resume ID keeps the session id' contains "$out" "claude-stub ready, session $sid"
check '--resume ID prints earlier lines' contains "$out" '> hello world'
check '--resume ID prints earlier quoted line' contains "$out" '> second "quoted" \ line'
check '--resume ID appends to the same transcript' test "$(wc -l <"$proj/$sid.jsonl")" -eq 3

# --resume without id: the most recent transcript of this project
sleep 1.1
run $'latest\n' --session-id aaaaaaaa-0000-0000-0000-000000000001
sleep 1.1
run $'again\n' --resume
check '--resume picks the most recent session' contains "$out" 'claude-stub ready, session aaaaaaaa-0000-0000-0000-000000000001'
check '--resume (no id) prints its transcript' contains "$out" '> latest'
check '--resume (no id) echoes new input' contains "$out" 'again [echoed by claude-stub]'
run '' --resume=aaaaaaaa-0000-0000-0000-000000000001 --dangerously-skip-permissions
check '--resume=ID form accepted' test "$rc" -eq 0

# --resume with nothing to resume
set +e
out=$(cd "$tmp/other.dir" && "$STUB" --resume </dev/null 2>"$tmp/err"); rc=$?
set -e
err=$(<"$tmp/err")
check '--resume with no transcript exits 1' test "$rc" -eq 1
check '--resume with no transcript: clear error' test "$err" = 'claude-stub: no conversation found to resume'
check '--resume with no transcript: no banner' test -z "$out"
(cd "$tmp/other.dir" && "$STUB" -p x >/dev/null)
check 'project dir name replaces . and / with -' test -d "$HOME/.claude/projects/${tmp//[\/.]/-}-other-dir"
run '' --resume 99999999-0000-0000-0000-000000000000
check '--resume unknown ID exits 1' test "$rc" -eq 1
check '--resume unknown ID: error on stderr' contains "$err" 'no conversation found'

# -p / --print
run '' -p 'one shot'
check '-p prints the echo and exits 0' test "$rc" -eq 0 -a "$out" = 'one shot [echoed by claude-stub]'
run '' --print 'two shot' --dangerously-skip-permissions
check '--print with --dangerously-skip-permissions' test "$rc" -eq 0 -a "$out" = 'two shot [echoed by claude-stub]'
run '' -p
check '-p without text is a usage error' test "$rc" -eq 2

# --dangerously-skip-permissions in an interactive session
run $'hi\n' --dangerously-skip-permissions
check '--dangerously-skip-permissions accepted' test "$rc" -eq 0
check '... and the session works' contains "$out" 'hi [echoed by claude-stub]'

# unknown flags
run '' --no-such-flag
check 'unknown flag exits 2' test "$rc" -eq 2
check 'unknown flag: error names it' contains "$err" "unknown option '--no-such-flag'"
run '' stray
check 'stray argument exits 2' test "$rc" -eq 2

# a last line without newline is still answered
run 'no newline'
check 'last line without newline answered' contains "$out" 'no newline [echoed by claude-stub]'

printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
