#!/usr/bin/env bash
# Builds and imports the Incus image "coi-sandbox" (first version): Debian 12
# "bookworm" made with debootstrap --variant=minbase from the host's own
# Debian mirror (the URI is read from /etc/apt/sources.list.d/debian.sources),
# with systemd as init, bash, sudo, tmux, git, ca-certificates and Debian's
# nodejs, the user "claude" (uid/gid 1000, home /home/claude, shell bash, no
# sudo rights), and the agent stand-in images/stub/claude-stub installed as
# /usr/local/bin/claude-stub. It is made container-friendly (empty machine-id,
# hostname and /etc/hosts from Incus templates, timers that need a network
# masked), stripped of apt lists, docs and man pages, packed with
# tar --numeric-owner in a temporary directory under /var/tmp, imported
# without alias, probed in an unprivileged ephemeral container (systemd must
# reach running/degraded; uid 1000 runs node, tmux, git and claude-stub), and
# only then given the alias. The recipe hash is stored as image property
# coi.recipe. The chroot needs the host's network for apt. Usage: bash build.sh
# (root; setup-host.sh calls it when the image is missing or its recipe changed).
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"

ALIAS=coi-sandbox
SUITE=bookworm
hash=${COI_RECIPE_HASH:-$(coi_recipe_hash "$ALIAS")}
stub=$COI_IMAGES_DIR/stub/claude-stub
[[ -f $stub ]] || coi_die "missing $stub"
command -v debootstrap >/dev/null || coi_die "debootstrap not installed"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

uri=$(coi_debian_uri "$SUITE")
[[ -n $uri ]] || coi_die "cannot derive the Debian mirror URI from /etc/apt/sources.list.d/debian.sources"
security_uri=$(coi_debian_uri "$SUITE-security")

# The build directory, chroot mounts and their clean-up on exit.
# shellcheck source=../lib/chroot.sh
source "$here/../lib/chroot.sh"

work=$(coi_mktemp_build "$ALIAS")
root=$work/rootfs
mkdir -p "$work/meta/templates" "$root"

# ---- base system -------------------------------------------------------------
t=$SECONDS
coi_log "debootstrap $SUITE (minbase) into $root"
debootstrap --variant=minbase \
    --include=systemd-sysv,bash,sudo,tmux,git,ca-certificates \
    "$SUITE" "$root" "$uri" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    coi_die "debootstrap failed"
}
coi_log "debootstrap done in $((SECONDS - t)) s"

mount_in proc proc /proc
mount_in sysfs sysfs /sys
mount_in bind /dev /dev
mount_in bind /dev/pts /dev/pts

# apt inside the image: the same mirror as the host, deb822 format.
rm -f "$root/etc/apt/sources.list"
{
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$uri" "$SUITE" "$SUITE"
    if [[ -n $security_uri ]]; then
        printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$security_uri" "$SUITE"
    fi
} >"$root/etc/apt/sources.list.d/debian.sources"
# Build-time only: the host's settings that let apt reach its mirror (proxy,
# snapshot mirrors without Valid-Until), no services started by postinsts, DNS.
apt-config dump | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy) ' \
    >"$root/etc/apt/apt.conf.d/99coi-build" || true
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$root/etc/resolv.conf.coi-build" 2>/dev/null || : >"$root/etc/resolv.conf.coi-build"
resolv_backup=''
if [[ -e $root/etc/resolv.conf || -L $root/etc/resolv.conf ]]; then
    resolv_backup=$work/resolv.conf.image
    cp -a "$root/etc/resolv.conf" "$resolv_backup"
fi
rm -f "$root/etc/resolv.conf"
mv "$root/etc/resolv.conf.coi-build" "$root/etc/resolv.conf"

# No documentation in the image (copyright files stay).
cat >"$root/etc/dpkg/dpkg.cfg.d/01-coi-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF

# ---- packages and user ------------------------------------------------------------
t=$SECONDS
coi_log "installing nodejs in the image"
in_chroot apt-get update -qq >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; coi_die "apt-get update in the image failed"; }
in_chroot apt-get install -y -qq --no-install-recommends nodejs >>"$work/apt.log" 2>&1 ||
    { tail -n 30 "$work/apt.log" >&2; coi_die "installing nodejs in the image failed"; }
coi_log "nodejs installed in $((SECONDS - t)) s"

in_chroot groupadd --gid 1000 claude
in_chroot useradd --uid 1000 --gid 1000 --create-home --home-dir /home/claude --shell /bin/bash claude
# No sudo rights: not in group sudo, no sudoers rule.
if in_chroot id -nG claude | tr ' ' '\n' | grep -qx sudo; then coi_die "claude must not be in group sudo"; fi
install -m 0755 "$stub" "$root/usr/local/bin/claude-stub"

# ---- container-friendly system ------------------------------------------------------
printf '%s\n' "$ALIAS" >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$ALIAS" >"$root/etc/hosts"
: >"$root/etc/machine-id" # empty: systemd makes one per container at boot
rm -f "$root/var/lib/dbus/machine-id"
printf 'LANG=C.UTF-8\n' >"$root/etc/default/locale"
# Debian's tmpfiles rule "D /tmp" empties /tmp while systemd boots, about 0.5 s
# after "incus launch" returns: files a client pushes there right away vanish.
# A new container's /tmp is empty anyway, so only create it.
printf '# coi: do not empty /tmp at boot (see coi-sandbox/build.sh)\nd /tmp 1777 root root -\n' \
    >"$root/etc/tmpfiles.d/tmp.conf"
# Units that need a network or real hardware, pointless in a coi sandbox.
in_chroot systemctl mask --quiet \
    apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
    systemd-networkd-wait-online.service systemd-timesyncd.service \
    getty@tty1.service 2>/dev/null || true

# ---- slim down and undo build-time settings -------------------------------------------
in_chroot apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/* \
    "$root"/var/log/apt/* "$root"/var/log/dpkg.log "$root"/var/log/bootstrap.log \
    "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.bash_history
find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/apt/apt.conf.d/99coi-build" "$root/etc/resolv.conf"
if [[ -n $resolv_backup ]]; then cp -a "$resolv_backup" "$root/etc/resolv.conf"; else : >"$root/etc/resolv.conf"; fi
unmount_all

# ---- pack, import, verify ----------------------------------------------------------------
printf '{{ instance.name }}\n' >"$work/meta/templates/hostname.tpl"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t{{ instance.name }}\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
    >"$work/meta/templates/hosts.tpl"
COI_IMAGE_OS=debian COI_IMAGE_RELEASE=$SUITE \
    coi_write_metadata "$work/meta" "$ALIAS" \
    "coi sandbox: Debian $SUITE, systemd, bash, tmux, git, nodejs, claude-stub, user claude (1000)" "$hash" \
    /etc/hostname=hostname.tpl /etc/hosts=hosts.tpl
t=$SECONDS
coi_pack "$work/meta" "$root" "$work"
coi_log "packed $ALIAS in $((SECONDS - t)) s: rootfs.tar $(du -h "$work/rootfs.tar" | cut -f1)"

verify() {
    coi_probe "$1" coi-setup-probe-sandbox probe_sandbox
}
probe_sandbox() {
    local out
    coi_await_systemd || return 1
    out=$(incus exec "$COI_PROBE" --user 1000 --group 1000 --env HOME=/home/claude --cwd /home/claude -- \
        bash -c 'id -u; node --version; tmux -V; git --version; claude-stub --version' </dev/null) || return 1
    printf '%s\n' "$out" | sed 's/^/coi setup:   /'
    [[ $(head -n 1 <<<"$out") == 1000 && $out == *'claude-stub 1.0.0'* ]] || return 1
    # claude has no sudo rights
    if incus exec "$COI_PROBE" --user 1000 --group 1000 --env HOME=/home/claude -- sudo -n true </dev/null >/dev/null 2>&1; then
        printf 'coi setup: user claude can sudo in %s\n' "$ALIAS" >&2
        return 1
    fi
}
coi_import_and_publish "$ALIAS" "$work" verify
