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
