#!/usr/bin/env bash
# coi host set-up: makes a Debian 12 machine ready to run coi, idempotently.
# Installs Incus (incus-base + incus-client from bookworm-backports, whose
# source is derived from the machine's own Debian source), btrfs-progs,
# debootstrap and busybox-static; starts the Incus daemon (systemd when it is
# PID 1, otherwise a detached incusd); creates the storage pool "default"
# (btrfs loop file when the kernel has btrfs, else dir) and the default
# profile's root disk, never a network; delegates the uid/gid ranges coi needs
# in /etc/subuid and /etc/subgid; and makes the images (build-images.sh):
# coi-test-min and coi-base on the host, coi-sandbox (on coi-base) and
# coi-privileged (on coi-sandbox) with coi build, each when it is missing or
# its recipe changed (image property coi.recipe), or the image it is made from
# did (coi.base). A second run on a set-up machine changes nothing and takes
# well under a second.
#
# Usage: bash images/setup-host.sh            (as root, from any directory)
# Environment:
#   COI_SETUP_SKIP_SANDBOX=1   do not build coi-base, coi-sandbox (nor coi-privileged)
#   COI_SETUP_SKIP_PRIVILEGED=1  do not build coi-privileged
#   COI_FORCE_REBUILD=1        rebuild all images even when up to date
#   COI_SETUP_MIN_FREE_GIB=N   free space required under /var/lib (default 6)
#   COI_POOL_SIZE=SIZE         size of a new btrfs pool's loop file (default 30GiB)
#   COI_SETUP_LOCK=PATH        the lock two set-ups take turns on (default /run/coi-setup.lock)
#   COI_SETUP_STOP_AFTER_LOCK=1  take the lock, then stop: for tests of the lock alone
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
export COI_IMAGES_DIR=$here
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

export DEBIAN_FRONTEND=noninteractive
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

INCUS_LOG=/var/log/incusd.log
INCUS_SOCKET=/var/lib/incus/unix.socket
started=$SECONDS

# ---- checks ------------------------------------------------------------------
if [[ $(id -u) -ne 0 ]]; then
    # A developer's `mvn verify` runs this too: a host set up earlier is fine without root.
    if incus query /1.0/images/aliases/coi-test-min </dev/null >/dev/null 2>&1 &&
        incus query /1.0/images/aliases/coi-sandbox </dev/null >/dev/null 2>&1 &&
        incus query /1.0/images/aliases/coi-privileged </dev/null >/dev/null 2>&1; then
        echo "coi setup: not root, but the daemon answers and the images are there: nothing to do" >&2
        exit 0
    fi
    echo "coi setup: must be run as root (try: sudo bash $0)" >&2
    exit 1
fi
[[ -r /etc/debian_version ]] || coi_die "this is not a Debian-like system (no /etc/debian_version)"

check_space() {
    local need_gib=${COI_SETUP_MIN_FREE_GIB:-6} avail need
    mkdir -p /var/lib
    avail=$(df -P -B1 /var/lib | awk 'NR == 2 { print $4 }')
    need=$((need_gib * 1024 * 1024 * 1024))
    if ((avail < need)); then
        coi_die "$(awk -v a="$avail" -v n="$need" 'BEGIN { printf "not enough free space under /var/lib: %.1f GiB free, %.1f GiB needed (short by %.1f GiB)", a / 2^30, n / 2^30, (n - a) / 2^30 }')"
    fi
}
check_space

# One set-up at a time (two would build the same image into the same alias): the second waits.
# The lock lives where only root can create files (/run, else /var/lib): in a world-writable
# directory (/tmp, /run/lock) another user could plant a link there to a file root would then
# truncate. A link found anyway is refused, never followed.
lock=${COI_SETUP_LOCK:-}
if [[ -z $lock ]]; then
    if [[ -d /run && -w /run ]]; then lock=/run/coi-setup.lock; else lock=/var/lib/coi-setup.lock; fi
fi
[[ ! -L $lock ]] || coi_die "the set-up lock $lock is a symbolic link: remove it (rm $lock) and run again"
{ exec 9>>"$lock"; } || coi_die "cannot open the set-up lock $lock"
if ! flock -n 9; then
    coi_log "another coi setup is running, waiting for it"
    flock 9
fi
# For tests of the lock alone (tests never run a real install): stop here, holding it.
if [[ -n ${COI_SETUP_STOP_AFTER_LOCK:-} ]]; then
    echo "coi setup: holding the set-up lock $lock; stopping (COI_SETUP_STOP_AFTER_LOCK)" >&2
    exit 0
fi

# ---- packages ----------------------------------------------------------------
installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == 'install ok installed' ]]
}

ensure_backports_source() {
    local codename=$1 uri f=/etc/apt/sources.list.d/backports.sources
    if grep -rqsE -- "^[^#]*[[:space:]]$codename-backports([[:space:]]|\$)" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        return 0
    fi
    uri=$(coi_debian_uri "$codename")
    [[ -n $uri ]] || coi_die "cannot find the Debian mirror URI in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
    coi_log "adding $codename-backports apt source ($f)"
    printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$uri" "$codename" >"$f"
}

java_ok() {
    local v
    command -v javac >/dev/null 2>&1 || return 1
    v=$(javac -version 2>&1 | awk '{ print $2 }')
    ((${v%%.*} >= 17))
}

install_packages() {
    local -a base=() incus=()
    local p codename
    for p in btrfs-progs debootstrap busybox-static; do installed "$p" || base+=("$p"); done
    # coi build fetches the agent with npm pack on the host (images/coi-sandbox/recipe.sh).
    command -v npm >/dev/null 2>&1 || base+=(npm)
    # coi itself is built with a JDK (17 or later) and Maven: install them only when missing.
    java_ok || base+=(openjdk-17-jdk-headless)
    command -v mvn >/dev/null 2>&1 || base+=(maven)
    for p in incus-base incus-client; do installed "$p" || incus+=("$p"); done
    if ((${#base[@]} + ${#incus[@]} == 0)); then
        coi_log "packages present (incus-base incus-client btrfs-progs debootstrap busybox-static, a JDK, Maven, npm)"
        return 0
    fi
    codename=$(coi_codename)
    local -a target=()
    if ((${#incus[@]})) && [[ $codename == bookworm ]]; then
        ensure_backports_source "$codename"
        target=(-t "$codename-backports")
    fi
    coi_log "updating apt package lists"
    apt-get update -qq || coi_die "apt-get update failed"
    if ((${#base[@]})); then
        coi_log "installing ${base[*]}"
        apt-get install -y -qq --no-install-recommends "${base[@]}" >/dev/null ||
            coi_die "installing ${base[*]} failed"
    fi
    if ((${#incus[@]})); then
        coi_log "installing ${incus[*]}${target:+ from $codename-backports}"
        apt-get install -y -qq --no-install-recommends "${target[@]}" "${incus[@]}" >/dev/null ||
            coi_die "installing ${incus[*]} failed"
    fi
}
install_packages
command -v incus >/dev/null || coi_die "the incus client is not on PATH after installation"
[[ -x /usr/libexec/incus/incusd ]] || command -v incusd >/dev/null ||
    coi_die "incusd not found (expected /usr/libexec/incus/incusd)"

# ---- uid/gid delegation --------------------------------------------------------
# Unprivileged containers map their root to host uid 1000000 (root:1000000:1000000000);
# incusd reads this range when it starts, so adding it to a running daemon needs a
# restart. coi also maps the workspace owner onto container uid 1000 with raw.idmap
# ("both <owner> 1000"). liblxc writes the map with newuidmap/newgidmap (package
# uidmap), which reread these files on every container start and refuse a host id
# not delegated to root ("newuidmap: uid range [1000-1001) -> [1000-1001) not
# allowed"); root's own id 0 is always allowed. Hence root:1000:1 (the usual first
# user), root:0:1 (owner root; harmless, documents the intent) and the invoking
# sudo user if any. These single-id lines take effect without a restart (measured).
ids_changed=false   # the container range was added: restart a running daemon
ensure_subid_file() {
    local f=$1 line
    [[ -e $f ]] || : >"$f"
    # A range for the containers: a root line of at least 65536 ids (the single
    # ids below do not count).
    if ! awk -F: '$1 == "root" && $3 >= 65536 { found = 1 } END { exit !found }' "$f"; then
        echo 'root:1000000:1000000000' >>"$f"
        coi_log "added root:1000000:1000000000 to $f"
        ids_changed=true
    fi
    local -a extra=(root:0:1 root:1000:1)
    if [[ ${SUDO_UID:-} =~ ^[0-9]+$ && $SUDO_UID != 0 && $SUDO_UID != 1000 ]]; then
        if [[ $f == /etc/subuid ]]; then extra+=("root:$SUDO_UID:1"); else extra+=("root:${SUDO_GID:-$SUDO_UID}:1"); fi
    fi
    for line in "${extra[@]}"; do
        if ! grep -qxF -- "$line" "$f"; then
            echo "$line" >>"$f"
            coi_log "added $line to $f"
        fi
    done
}
ensure_subid_file /etc/subuid
ensure_subid_file /etc/subgid

# ---- daemon --------------------------------------------------------------------
systemd_booted() { [[ -d /run/systemd/system ]]; }
daemon_up() { [[ -S $INCUS_SOCKET ]] && timeout 10 incus query /1.0 </dev/null >/dev/null 2>&1; }

start_daemon() {
    if systemd_booted; then
        coi_log "starting incus (systemctl start incus)"
        systemctl start incus.socket incus.service 9>&- || coi_die "systemctl start incus failed"
    else
        coi_log "starting incusd (no systemd; log $INCUS_LOG)"
        local incusd=/usr/libexec/incus/incusd
        [[ -x $incusd ]] || incusd=$(command -v incusd)
        # As the packaged unit does: many open files, helpers on PATH.
        ulimit -n 1048576 2>/dev/null || true
        # 9>&-: the daemon must not inherit (and forever hold) the set-up lock.
        PATH=/usr/libexec/incus:$PATH setsid -f "$incusd" --group incus-admin --logfile "$INCUS_LOG" \
            </dev/null >/dev/null 2>&1 9>&-
    fi
    incus admin waitready --timeout 60 </dev/null >/dev/null 2>&1 ||
        coi_die "the Incus daemon did not become ready within 60 s (see $INCUS_LOG)"
    coi_log "incus daemon ready ($INCUS_SOCKET)"
}

incusd_running() { grep -qsx incusd /proc/[0-9]*/comm; }

stop_daemon() {
    if systemd_booted; then
        systemctl stop incus.service incus.socket
    else
        incus admin shutdown --timeout 120 </dev/null >/dev/null 2>&1 || true
        local i
        for ((i = 0; i < 100; i++)); do
            incusd_running || break
            sleep 0.2
        done
        incusd_running && coi_die "incusd did not stop after 'incus admin shutdown'"
    fi
    return 0
}

if daemon_up; then
    if $ids_changed; then
        coi_log "restarting the incus daemon to reread /etc/subuid and /etc/subgid (stops running containers)"
        stop_daemon
        start_daemon
    else
        coi_log "incus daemon running ($INCUS_SOCKET)"
    fi
else
    start_daemon
fi

# ---- storage and profile ---------------------------------------------------------
if incus storage show default </dev/null >/dev/null 2>&1; then
    coi_log "storage pool default exists ($(incus storage show default </dev/null | sed -n 's/^driver: *//p'))"
else
    modprobe -q btrfs 2>/dev/null || true
    if grep -qw btrfs /proc/filesystems && command -v mkfs.btrfs >/dev/null; then
        coi_log "creating storage pool default (btrfs, loop file size=${COI_POOL_SIZE:-30GiB})"
        if ! incus storage create default btrfs "size=${COI_POOL_SIZE:-30GiB}" </dev/null >/dev/null; then
            coi_log "btrfs pool failed, falling back to dir"
            incus storage create default dir </dev/null >/dev/null || coi_die "cannot create storage pool default"
        fi
    else
        coi_log "creating storage pool default (dir; kernel or tools lack btrfs)"
        incus storage create default dir </dev/null >/dev/null || coi_die "cannot create storage pool default"
    fi
fi
if incus profile device show default </dev/null | grep -q '^root:'; then
    coi_log "default profile has a root disk"
else
    coi_log "adding root disk (pool default) to the default profile"
    incus profile device add default root disk path=/ pool=default </dev/null >/dev/null ||
        coi_die "cannot add the root disk to the default profile"
fi

# ---- images ----------------------------------------------------------------------
# coi-test-min and coi-base made on the host, coi-sandbox and coi-privileged by coi build (the
# launcher builds the CLI jar first when it is missing or stale); each only when out of date.
bash "$here/build-images.sh" 9>&- || coi_die "making the images failed"

coi_log "done in $((SECONDS - started)) s"
