#!/usr/bin/env bash
# Builds and imports the Incus image "coi-base", the base coi's own recipes build on (coi build
# sandbox, whose result coi-privileged builds on): Debian 12 "bookworm" made on the host with
# debootstrap --variant=minbase from the host's own Debian mirror (the URI is read from
# /etc/apt/sources.list.d/debian.sources, or /etc/apt/sources.list: no mirror host name is in this
# repository), with systemd as init and the user "claude" (uid/gid 1000, home /home/claude, shell
# bash, no sudo rights). It is made container-friendly (empty machine-id, hostname and /etc/hosts
# from Incus templates, /tmp not emptied at boot, timers that need a network masked) and slim (no
# apt lists, docs or man pages), packed with tar --numeric-owner in a temporary directory under
# /var/tmp, imported without alias, probed in an unprivileged ephemeral container (systemd must
# reach running/degraded; uid 1000 is claude in /home/claude), and only then given its alias and
# a version alias coi-base-YYYYMMDD-HHMMSS. The image properties are coi's, as coi build writes
# them: coi.image, coi.recipe (the recipe hash), coi.built (the version alias), description, os,
# release. debootstrap needs the host's network (the only step that does).
# Usage: bash build.sh (root). COI_IMAGE_PREFIX=p- names it p-coi-base (for tests).
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"

ALIAS=${COI_IMAGE_PREFIX:-}coi-base
SUITE=bookworm
hash=${COI_RECIPE_HASH:-$(coi_recipe_hash coi-base)}
command -v debootstrap >/dev/null || coi_die "debootstrap not installed (apt-get install debootstrap)"
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
coi_log "debootstrap $SUITE (minbase, systemd) into $root"
debootstrap --variant=minbase --include=systemd-sysv \
    "$SUITE" "$root" "$uri" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    coi_die "debootstrap failed"
}
coi_log "debootstrap done in $((SECONDS - t)) s"

mount_in proc proc /proc
mount_in sysfs sysfs /sys
mount_in bind /dev /dev
mount_in bind /dev/pts /dev/pts

# apt inside the image: the host's mirror, deb822 format (for a container that has a network;
# coi's recipes install offline, from packages fetched on the host).
rm -f "$root/etc/apt/sources.list"
{
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$uri" "$SUITE" "$SUITE"
    if [[ -n $security_uri ]]; then
        printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$security_uri" "$SUITE"
    fi
} >"$root/etc/apt/sources.list.d/debian.sources"

# No documentation in the image (copyright files stay), now and for every later install.
cat >"$root/etc/dpkg/dpkg.cfg.d/01-coi-nodoc" <<'NODOC'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
NODOC

# ---- the agent user ----------------------------------------------------------------
in_chroot groupadd --gid 1000 claude
in_chroot useradd --uid 1000 --gid 1000 --create-home --home-dir /home/claude --shell /bin/bash claude
# No sudo rights: not in group sudo, no sudoers rule (there is no sudo in the base).
if in_chroot id -nG claude | tr ' ' '\n' | grep -qx sudo; then coi_die "claude must not be in group sudo"; fi

# ---- container-friendly system ------------------------------------------------------
printf '%s\n' coi-base >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tcoi-base\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
: >"$root/etc/machine-id" # empty: systemd makes one per container at boot
rm -f "$root/var/lib/dbus/machine-id"
printf 'LANG=C.UTF-8\n' >"$root/etc/default/locale"
# Debian's tmpfiles rule "D /tmp" empties /tmp while systemd boots, about 0.5 s after "incus
# launch" returns: files a client pushes there right away vanish. A new container's /tmp is empty
# anyway, so only create it.
printf '# coi: do not empty /tmp at boot (see coi-base/build.sh)\nd /tmp 1777 root root -\n' \
    >"$root/etc/tmpfiles.d/tmp.conf"
# Units that need a network or real hardware, pointless in a coi container.
in_chroot systemctl mask --quiet \
    apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
    systemd-networkd-wait-online.service systemd-timesyncd.service \
    getty@tty1.service 2>/dev/null || true

# ---- slim down ---------------------------------------------------------------------------
in_chroot apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/* \
    "$root"/var/log/apt/* "$root"/var/log/dpkg.log "$root"/var/log/bootstrap.log \
    "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.bash_history
find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
unmount_all

# ---- pack, import, verify ----------------------------------------------------------------
printf '{{ instance.name }}\n' >"$work/meta/templates/hostname.tpl"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t{{ instance.name }}\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
    >"$work/meta/templates/hosts.tpl"
version=$ALIAS-$(date -u +%Y%m%d-%H%M%S)
COI_IMAGE_OS=debian COI_IMAGE_RELEASE=$SUITE COI_IMAGE_BUILT=$version \
    coi_write_metadata "$work/meta" "$ALIAS" \
    "coi-base: Debian $SUITE minbase, systemd, user claude (1000) ($version)" "$hash" \
    /etc/hostname=hostname.tpl /etc/hosts=hosts.tpl
t=$SECONDS
coi_pack "$work/meta" "$root" "$work"
coi_log "packed $ALIAS in $((SECONDS - t)) s: rootfs.tar $(du -h "$work/rootfs.tar" | cut -f1)"

verify() {
    coi_probe "$1" "coi-setup-probe-${COI_IMAGE_PREFIX:-}base" probe_base
}
probe_base() {
    local out
    coi_await_systemd || return 1
    out=$(incus exec "$COI_PROBE" --user 1000 --group 1000 --env HOME=/home/claude --cwd /home/claude -- \
        bash -c 'id -un; id -u; pwd' </dev/null) || return 1
    printf '%s\n' "$out" | sed 's/^/coi setup:   /'
    [[ $out == $'claude\n1000\n/home/claude' ]]
}
coi_import_and_publish "$ALIAS" "$work" verify "$version"
