#!/usr/bin/env bash
# Builds and imports the Incus image "coi-test-min": a ~1 MB root filesystem
# made of the host's static busybox (Debian package busybox-static) with its
# applets installed as symlinks, an /etc/inittab that keeps busybox init (PID
# 1) alive and idle, /etc/passwd and /etc/group with root and the user
# "claude" (uid/gid 1000, home /home/claude owned 1000:1000), and a 1777 /tmp.
# It has sh but no bash, tmux or sudo; it exists for fast container lifecycle
# tests (launch ~0.5 s). The image is packed as metadata.yaml + rootfs
# tarballs in a temporary directory under /var/tmp, imported without alias,
# probed in an unprivileged ephemeral container (uid 1000 in /home/claude),
# and only then given the alias; the metadata records the recipe hash as the
# image property coi.recipe. Usage: bash build.sh  (root; setup-host.sh calls
# it when the image is missing or its recipe changed).
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"

ALIAS=${COI_IMAGE_PREFIX:-}coi-test-min
hash=${COI_RECIPE_HASH:-$(coi_recipe_hash coi-test-min)}
busybox=$(command -v busybox || true)
[[ -x /bin/busybox ]] && busybox=/bin/busybox
[[ -n $busybox ]] || coi_die "busybox not found (install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
    coi_die "$busybox is dynamically linked; install busybox-static"
fi

work=''
COI_PROBE=''
cleanup() {
    [[ -z $COI_PROBE ]] || incus delete -f "$COI_PROBE" </dev/null >/dev/null 2>&1 || true
    [[ -z $work ]] || coi_remove_build_dir "$work" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

work=$(coi_mktemp_build "$ALIAS")
root=$work/rootfs
mkdir -p "$work/meta" "$root"

coi_log "building $ALIAS in $work"
(
    cd "$root"
    mkdir -p bin sbin usr/bin usr/sbin etc dev proc sys run tmp var/tmp var/log root home/claude
    chmod 1777 tmp var/tmp
    chmod 0700 root
    cp "$busybox" bin/busybox
    chmod 0755 bin/busybox
)
chroot "$root" /bin/busybox --install -s

cat >"$root/etc/inittab" <<'EOF'
# busybox init: nothing to start; init stays PID 1 and reaps orphans.
::respawn:/bin/sleep 2147483647
::ctrlaltdel:/bin/true
::shutdown:/bin/sync
EOF
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
claude:x:1000:1000:claude:/home/claude:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
claude:x:1000:
nogroup:x:65534:
EOF
printf 'root:*:19000:0:99999:7:::\nclaude:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' >"$root/etc/shadow"
chmod 0640 "$root/etc/shadow"
printf '%s\n' "$ALIAS" >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$root/etc/hosts"
chown 1000:1000 "$root/home/claude"
chmod 0755 "$root/home/claude"

mkdir -p "$work/meta/templates"
printf '{{ instance.name }}\n' >"$work/meta/templates/hostname.tpl"
COI_IMAGE_OS=busybox COI_IMAGE_RELEASE="$("$busybox" | head -n 1 | awk '{print $2}')" \
    coi_write_metadata "$work/meta" "$ALIAS" \
    "coi test image: static busybox, user claude (1000)" "$hash" \
    /etc/hostname=hostname.tpl
coi_pack "$work/meta" "$root" "$work"
coi_log "packed $ALIAS: rootfs.tar $(du -h "$work/rootfs.tar" | cut -f1)"

verify() {
    coi_probe "$1" "coi-setup-probe-${COI_IMAGE_PREFIX:-}min" probe_exec
}
probe_exec() {
    local out
    out=$(incus exec "$COI_PROBE" --user 1000 --group 1000 --cwd /home/claude -- sh -c 'id -u; pwd' </dev/null) || return 1
    if [[ $out != $'1000\n/home/claude' ]]; then
        printf 'coi setup: probe of %s printed %q\n' "$ALIAS" "$out" >&2
        return 1
    fi
}
coi_import_and_publish "$ALIAS" "$work" verify
