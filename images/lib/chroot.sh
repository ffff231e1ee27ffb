# shellcheck shell=bash
# Sourced by the image builds that work in a chroot: the build directory ($work), the root
# filesystem ($root), the probe instance ($COI_PROBE), and mounts inside the root that are undone,
# with the build directory and the probe, however the build ends.

work=''
root=''
COI_PROBE=''
mounted=()
unmount_all() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null ||
            printf 'coi setup: WARNING: cannot unmount %s\n' "${mounted[i]}" >&2
    done
    mounted=()
}
cleanup() {
    [[ -z $COI_PROBE ]] || incus delete -f "$COI_PROBE" </dev/null >/dev/null 2>&1 || true
    unmount_all
    [[ -z $work ]] || coi_remove_build_dir "$work" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_in() { # type-or-bind source target
    local target=$root$3
    mkdir -p "$target"
    if [[ $1 == bind ]]; then
        mount --bind "$2" "$target"
    else
        mount -t "$1" "$2" "$target"
    fi
    mounted+=("$target")
}
in_chroot() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

# Waits (up to 90 s) for systemd in the probe instance to finish booting; fails, showing what
# failed, unless it is running or degraded.
coi_await_systemd() {
    local state='' t0=$SECONDS
    # The private systemd socket appears a moment after the container starts.
    while ((SECONDS - t0 < 90)); do
        state=$(incus exec "$COI_PROBE" -- systemctl is-system-running --wait </dev/null 2>/dev/null || true)
        # "offline" (with "Failed to connect to bus") until systemd's socket exists.
        case $state in '' | offline | initializing | starting) ;; *) break ;; esac
        sleep 0.2
    done
    coi_log "systemd in $ALIAS: '$state' after $((SECONDS - t0)) s"
    case $state in
        running | degraded) ;;
        *)
            incus exec "$COI_PROBE" -- systemctl --failed --no-pager </dev/null >&2 || true
            incus console "$COI_PROBE" --show-log </dev/null 2>&1 | tail -n 40 >&2 || true
            return 1
            ;;
    esac
    if [[ $state == degraded ]]; then
        incus exec "$COI_PROBE" -- systemctl --failed --no-pager --plain </dev/null >&2 || true
    fi
}
