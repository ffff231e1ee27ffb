#!/usr/bin/env bash
# Makes coi's images, each only when it is missing or out of date, in this order:
#   coi-test-min    busybox test image (coi-test-min/build.sh, on the host)
#   coi-base        Debian bookworm + systemd + user claude (coi-base/build.sh: debootstrap on the host)
#   coi-sandbox     coi build of coi-sandbox/recipe.sh on coi-base
#   coi-privileged  coi build of coi-privileged/recipe.sh on coi-sandbox
# The two shell-built images are up to date when their recipe hash (coi_recipe_hash) is the one
# recorded on them (coi.recipe); the two coi-built ones when coi.recipe is the hash coi build
# computes (coi_build_recipe_hash, the same sum) and coi.base the fingerprint of their base. That
# check needs no JVM, so a run with everything up to date takes a fraction of a second; otherwise
# `coi build custom` (through the launcher ../coi, which builds the CLI jar when it is missing or
# stale) does the build, fetching packages on the host (apt-get, npm pack) for an offline install.
# setup-host.sh calls this after the daemon and the pool are ready, holding the set-up lock.
# Usage: bash images/build-images.sh   (root)
# Environment:
#   COI_SETUP_SKIP_SANDBOX=1     only coi-test-min (no coi-base, coi-sandbox, coi-privileged)
#   COI_SETUP_SKIP_PRIVILEGED=1  no coi-privileged
#   COI_FORCE_REBUILD=1          rebuild every image even when up to date
#   COI_IMAGE_PREFIX=P           name the images P<name> (tests: never replaces the real ones)
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
export COI_IMAGES_DIR=$here
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
prefix=${COI_IMAGE_PREFIX:-}
[[ -z $prefix || $prefix =~ ^[a-z0-9][a-z0-9-]*$ ]] || coi_die "COI_IMAGE_PREFIX '$prefix' is not valid: lower-case letters, digits and '-'"

# Leftovers of an interrupted (killed) build: probe containers, build dirs (with a prefix, only
# those of images with that prefix).
sweep_leftovers() {
    local name d m
    for name in $(incus list --format csv --columns n "coi-setup-probe-$prefix" </dev/null 2>/dev/null || true); do
        coi_log "deleting leftover probe container $name"
        incus delete -f "$name" </dev/null >/dev/null 2>&1 || true
    done
    for d in "${COI_BUILD_TMPDIR:-/var/tmp}/coi-build-$prefix"*; do
        [[ -d $d ]] || continue
        coi_log "removing leftover build directory $d"
        # unmount what a killed build left mounted below it, deepest first
        while IFS= read -r m; do
            umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
        done < <(awk -v d="$d/" 'index($2 "/", d) == 1 { print $2 }' /proc/self/mounts | sort -r)
        coi_remove_build_dir "$d" || coi_die "cannot remove $d (something is still mounted below it)"
    done
}

# ensure_script_image NAME: an image made on the host by NAME/build.sh.
ensure_script_image() {
    local name=$1 alias=$prefix$1 want have t
    want=$(coi_recipe_hash "$name")
    have=$(coi_image_recipe "$alias")
    if [[ $have == "$want" && ${COI_FORCE_REBUILD:-0} != 1 ]]; then
        coi_log "image $alias up to date (recipe ${want:0:12})"
        return 0
    fi
    if [[ -z $have ]]; then
        coi_log "image $alias missing, building"
    elif [[ $have != "$want" ]]; then
        coi_log "image $alias recipe changed (${have:0:12} -> ${want:0:12}), rebuilding"
    else
        coi_log "image $alias: COI_FORCE_REBUILD=1, rebuilding"
    fi
    t=$SECONDS
    COI_RECIPE_HASH=$want bash "$here/$name/build.sh" 9>&- || coi_die "building image $alias failed"
    coi_log "image $alias built in $((SECONDS - t)) s"
}

# ensure_coi_image NAME BASE: an image coi build makes from NAME/recipe.sh on BASE.
ensure_coi_image() {
    local name=$1 alias=$prefix$1 base=$prefix$2 recipe=$here/$1/recipe.sh want have base_fp made_from t
    want=$(coi_build_recipe_hash "$recipe") || coi_die "cannot read the recipe $recipe"
    have=$(coi_image_recipe "$alias")
    base_fp=$(coi_image_fingerprint "$base")
    [[ -n $base_fp ]] || coi_die "the base image $base of $alias is missing"
    made_from=$(coi_image_base "$alias")
    if [[ $have == "$want" && $made_from == "$base_fp" && ${COI_FORCE_REBUILD:-0} != 1 ]]; then
        coi_log "image $alias up to date (recipe ${want:0:12}, made from $base ${base_fp:0:12})"
        return 0
    fi
    if [[ -z $have ]]; then
        coi_log "image $alias missing, building with coi build"
    elif [[ $have != "$want" ]]; then
        coi_log "image $alias recipe changed (${have:0:12} -> ${want:0:12}), rebuilding with coi build"
    elif [[ $made_from != "$base_fp" ]]; then
        coi_log "image $alias was made from another $base (${made_from:0:12} -> ${base_fp:0:12}), rebuilding with coi build"
    else
        coi_log "image $alias: COI_FORCE_REBUILD=1, rebuilding with coi build"
    fi
    local -a force=()
    [[ ${COI_FORCE_REBUILD:-0} != 1 ]] || force=(--force)
    t=$SECONDS
    # COI_SKIP_SETUP: the launcher must not start a set-up of its own (this is one).
    COI_SKIP_SETUP=1 "$here/../coi" build custom "$alias" --script "$recipe" --base "$base" \
        "${force[@]}" --quiet </dev/null 9>&- || coi_die "coi build of $alias failed"
    coi_log "image $alias built in $((SECONDS - t)) s"
}

sweep_leftovers
ensure_script_image coi-test-min
if [[ ${COI_SETUP_SKIP_SANDBOX:-0} == 1 ]]; then
    coi_log "skipping coi-base, coi-sandbox and coi-privileged (COI_SETUP_SKIP_SANDBOX=1)"
    exit 0
fi
ensure_script_image coi-base
ensure_coi_image coi-sandbox coi-base
if [[ ${COI_SETUP_SKIP_PRIVILEGED:-0} == 1 ]]; then
    coi_log "skipping coi-privileged (COI_SETUP_SKIP_PRIVILEGED=1)"
else
    ensure_coi_image coi-privileged coi-sandbox
fi
