#!/usr/bin/env bash
# Builds and imports the Incus image "coi-privileged": the installed coi-sandbox
# image plus sudo rights for the user "claude" (NOPASSWD, /etc/sudoers.d/claude),
# Debian's GitHub CLI (gh) and openssh-client. "Privileged" is about what the
# agent may do inside its container; the container itself stays unprivileged.
# Rather than a second debootstrap, the coi-sandbox image is exported
# (incus image export, a few seconds), its rootfs unpacked under /var/tmp, and
# the packages installed with apt in a chroot (the chroot uses the host's
# network and the image's own debian.sources, which setup derived from the
# host's mirror); apt lists, caches and build-time settings are removed again.
# The image records the fingerprint of the coi-sandbox image it was made from
# as property coi.base, so that setup-host.sh rebuilds it when coi-sandbox
# changes. It is packed, imported without alias, probed in an unprivileged
# ephemeral container (systemd running; as uid 1000: sudo -n true, gh, ssh),
# and only then given the alias. Usage: bash build.sh (root; coi-sandbox must
# be installed; setup-host.sh calls it when needed).
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"

ALIAS=coi-privileged
BASE=coi-sandbox
PACKAGES=(sudo gh openssh-client)
hash=${COI_RECIPE_HASH:-$(coi_recipe_hash "$ALIAS")}
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

base_fp=$(coi_image_fingerprint "$BASE")
[[ -n $base_fp ]] || coi_die "image $BASE is missing: build it first (bash images/setup-host.sh)"

# The build directory, chroot mounts and their clean-up on exit.
# shellcheck source=../lib/chroot.sh
source "$here/../lib/chroot.sh"

work=$(coi_mktemp_build "$ALIAS")
root=$work/rootfs
mkdir -p "$work/base" "$work/meta" "$root"

# ---- the sandbox's root filesystem -------------------------------------------------
t=$SECONDS
incus image export "$base_fp" "$work/base/" </dev/null >/dev/null 2>&1 || coi_die "exporting $BASE failed"
base_meta=$work/base/meta-$base_fp.tar
base_rootfs=$work/base/$base_fp.tar
[[ -f $base_meta && -f $base_rootfs ]] ||
    coi_die "$BASE exported in an unexpected form (a split image of two tarballs was expected)"
tar -C "$work/meta" -xf "$base_meta"
tar --numeric-owner --xattrs --xattrs-include='security.capability' -C "$root" -xpf "$base_rootfs"
rm -rf "$work/base"
coi_log "unpacked $BASE (${base_fp:0:12}) in $((SECONDS - t)) s"

mount_in proc proc /proc
mount_in sysfs sysfs /sys
mount_in bind /dev /dev
mount_in bind /dev/pts /dev/pts

# Build-time only, as in coi-sandbox/build.sh: the host's apt settings that let
# apt reach its mirror, no services started by postinsts, the host's DNS.
apt-config dump | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy) ' \
    >"$root/etc/apt/apt.conf.d/99coi-build" || true
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
resolv_backup=$work/resolv.conf.image
cp -a "$root/etc/resolv.conf" "$resolv_backup" 2>/dev/null || resolv_backup=''
rm -f "$root/etc/resolv.conf"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || : >"$root/etc/resolv.conf"

# ---- packages and sudo rights --------------------------------------------------------
t=$SECONDS
coi_log "installing ${PACKAGES[*]} in the image"
in_chroot apt-get update -qq >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; coi_die "apt-get update in the image failed"; }
in_chroot apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >>"$work/apt.log" 2>&1 ||
    { tail -n 30 "$work/apt.log" >&2; coi_die "installing ${PACKAGES[*]} in the image failed"; }
coi_log "${PACKAGES[*]} installed in $((SECONDS - t)) s"

printf '# coi-privileged: the agent user may run anything as root, without a password.\nclaude ALL=(ALL:ALL) NOPASSWD: ALL\n' \
    >"$root/etc/sudoers.d/claude"
chmod 0440 "$root/etc/sudoers.d/claude"
in_chroot visudo -cqf /etc/sudoers.d/claude || coi_die "the sudoers rule for claude does not parse"

# ---- slim down and undo build-time settings -------------------------------------------
in_chroot apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
    "$root"/var/log/apt/* "$root"/var/log/dpkg.log \
    "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.bash_history
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/apt/apt.conf.d/99coi-build" "$root/etc/resolv.conf"
if [[ -n $resolv_backup ]]; then cp -a "$resolv_backup" "$root/etc/resolv.conf"; else : >"$root/etc/resolv.conf"; fi
unmount_all

# ---- pack, import, verify ----------------------------------------------------------------
COI_IMAGE_OS=debian COI_IMAGE_RELEASE=bookworm COI_IMAGE_BASE=$base_fp \
    coi_write_metadata "$work/meta" "$ALIAS" \
    "coi privileged: coi-sandbox plus sudo for claude, gh, openssh-client" "$hash" \
    /etc/hostname=hostname.tpl /etc/hosts=hosts.tpl
t=$SECONDS
coi_pack "$work/meta" "$root" "$work"
coi_log "packed $ALIAS in $((SECONDS - t)) s: rootfs.tar $(du -h "$work/rootfs.tar" | cut -f1)"

verify() {
    coi_probe "$1" coi-setup-probe-privileged probe_privileged
}
probe_privileged() {
    local out
    coi_await_systemd || return 1
    out=$(incus exec "$COI_PROBE" --user 1000 --group 1000 --env HOME=/home/claude --cwd /home/claude -- \
        bash -c 'sudo -n id -u; gh --version | head -n 1; ssh -V 2>&1; claude-stub --version' </dev/null) || return 1
    printf '%s\n' "$out" | sed 's/^/coi setup:   /'
    [[ $(head -n 1 <<<"$out") == 0 && $out == *'gh version'* && $out == *OpenSSH* ]] || return 1
}
coi_import_and_publish "$ALIAS" "$work" verify
