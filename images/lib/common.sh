# shellcheck shell=bash
# Helpers shared by setup-host.sh and the image recipes (sourced, not run).
# They print progress, derive the Debian mirror from the host's own apt
# configuration (no registry host name is ever written here), compute the
# recipe hash of an image, and pack, import, probe and publish an image so
# that a broken build never takes over the alias.

COI_IMAGES_DIR=${COI_IMAGES_DIR:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)}

coi_log() { printf 'coi setup: %s\n' "$*"; }
coi_die() {
    printf 'coi setup: ERROR: %s\n' "$*" >&2
    exit 1
}

# The files whose content defines an image. Paths relative to images/.
# Change one of them and setup-host.sh rebuilds that image.
coi_recipe_files() {
    case $1 in
        coi-test-min) printf '%s\n' lib/common.sh coi-test-min/build.sh ;;
        coi-base) printf '%s\n' lib/common.sh lib/chroot.sh coi-base/build.sh ;;
        *) coi_die "unknown image '$1'" ;;
    esac
}

# sha256 over "<sha256>  <path>" lines of the recipe files, in a fixed order.
coi_recipe_hash() {
    local f
    (
        cd -- "$COI_IMAGES_DIR" || exit 1
        while IFS= read -r f; do
            [[ -f $f ]] || { printf 'coi setup: ERROR: recipe file %s missing\n' "$f" >&2; exit 1; }
            sha256sum -- "$f"
        done < <(coi_recipe_files "$1")
    ) | sha256sum | cut -d' ' -f1
}

# The recipe hash recorded on the installed image ALIAS, empty when the image
# or the property is missing.
coi_image_recipe() {
    incus image get-property "$1" coi.recipe 2>/dev/null </dev/null || true
}

# The fingerprint of the installed image ALIAS, empty when it is missing.
coi_image_fingerprint() {
    incus image info "$1" </dev/null 2>/dev/null | sed -n 's/^Fingerprint: *//p' || true
}

# The fingerprint of the image ALIAS was made from (property coi.base), empty
# for an image made from scratch or a missing one.
coi_image_base() {
    incus image get-property "$1" coi.base 2>/dev/null </dev/null || true
}

coi_codename() {
    local c=''
    if [[ -r /etc/os-release ]]; then
        c=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
    fi
    printf '%s' "${c:-bookworm}"
}

# The URI of the host's Debian source carrying SUITE (default: the release
# codename), from /etc/apt/sources.list.d/debian.sources (deb822) or, failing
# that, /etc/apt/sources.list. Empty output when there is none.
coi_debian_uri() {
    local suite=${1:-$(coi_codename)} f=/etc/apt/sources.list.d/debian.sources uri=''
    if [[ -r $f ]]; then
        uri=$(awk -v s="$suite" '
            BEGIN { RS = "" }
            {
                uri = ""; ok = 0; n = split($0, L, "\n")
                for (i = 1; i <= n; i++) {
                    if (L[i] ~ /^URIs:/)   { split(L[i], a, /[ \t]+/); uri = a[2] }
                    if (L[i] ~ /^Suites:/) { m = split(L[i], b, /[ \t]+/); for (j = 2; j <= m; j++) if (b[j] == s) ok = 1 }
                }
                if (ok && uri != "") { print uri; exit }
            }' "$f")
    fi
    if [[ -z $uri && -r /etc/apt/sources.list ]]; then
        uri=$(awk -v s="$suite" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i ~ /^[a-z+]+:\/\//) { if ($(i + 1) == s) { print $i; exit } break } }' /etc/apt/sources.list)
    fi
    printf '%s' "$uri"
}

# A temporary build directory on the same filesystem as /var/lib (not a tmpfs).
coi_mktemp_build() {
    local base=${COI_BUILD_TMPDIR:-/var/tmp}
    mkdir -p -- "$base"
    mktemp -d "$base/coi-build-$1.XXXXXX"
}

# Remove a build directory, refusing if anything is still mounted below it.
coi_remove_build_dir() {
    local dir=$1
    [[ -n $dir && -d $dir ]] || return 0
    if awk -v d="$dir/" 'index($2 "/", d) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
        printf 'coi setup: WARNING: mounts remain under %s, not removing it\n' "$dir" >&2
        return 1
    fi
    rm -rf --one-file-system -- "$dir"
}

# Write DIR/metadata.yaml. Arguments: dir, alias, description, recipe hash,
# then optional "path=template-name" pairs for templates applied on create/copy
# (template files must already be in DIR/templates/).
coi_write_metadata() {
    local dir=$1 alias=$2 desc=$3 hash=$4
    shift 4
    {
        printf 'architecture: x86_64\n'
        printf 'creation_date: %s\n' "$(date +%s)"
        printf 'properties:\n'
        printf '  description: "%s"\n' "$desc"
        printf '  os: %s\n' "${COI_IMAGE_OS:-busybox}"
        printf '  release: "%s"\n' "${COI_IMAGE_RELEASE:-}"
        printf '  architecture: x86_64\n'
        printf '  coi.image: %s\n' "$alias"
        printf '  coi.recipe: %s\n' "$hash"
        [[ -z ${COI_IMAGE_BASE:-} ]] || printf '  coi.base: %s\n' "$COI_IMAGE_BASE"
        [[ -z ${COI_IMAGE_BUILT:-} ]] || printf '  coi.built: %s\n' "$COI_IMAGE_BUILT"
        if (($#)); then
            printf 'templates:\n'
            local pair
            for pair in "$@"; do
                printf '  %s:\n    when:\n    - create\n    - copy\n    template: %s\n' "${pair%%=*}" "${pair#*=}"
            done
        fi
    } >"$dir/metadata.yaml"
}

# Pack META_DIR (metadata.yaml [+ templates/]) and ROOTFS_DIR into OUT_DIR.
coi_pack() {
    local meta=$1 rootfs=$2 out=$3
    local -a parts=(metadata.yaml)
    [[ -d $meta/templates ]] && parts+=(templates)
    tar --numeric-owner -C "$meta" -cf "$out/meta.tar" "${parts[@]}"
    tar --numeric-owner --xattrs --xattrs-include='security.capability' -C "$rootfs" -cf "$out/rootfs.tar" .
}

# Import OUT_DIR/meta.tar + rootfs.tar without an alias, run VERIFY_FN with the
# new fingerprint, then point ALIAS at it and delete the image ALIAS pointed
# to before. A failing verification deletes the new image and keeps the old.
# VERSION_ALIAS, when given, is a second alias of the new image (as coi build makes).
coi_import_and_publish() {
    local alias=$1 out=$2 verify_fn=$3 version=${4:-} fp old_fp
    local start=$SECONDS
    # The fingerprint of a split image is the sha256 of metadata + rootfs tarballs.
    fp=$(cat "$out/meta.tar" "$out/rootfs.tar" | sha256sum | cut -d' ' -f1)
    incus image import "$out/meta.tar" "$out/rootfs.tar" --quiet </dev/null >/dev/null ||
        coi_die "importing $alias failed"
    incus image info "$fp" </dev/null >/dev/null 2>&1 || coi_die "imported $alias, but image $fp is not there"
    coi_log "imported $alias as ${fp:0:12} in $((SECONDS - start)) s, verifying"
    if ! "$verify_fn" "$fp"; then
        incus image delete "$fp" </dev/null >/dev/null 2>&1 || true
        coi_die "image $alias failed its verification; the previous image (if any) is kept"
    fi
    old_fp=$(coi_image_fingerprint "$alias")
    if [[ -n $old_fp ]]; then
        # Retarget the alias in one request: it never disappears for a client.
        incus query -X PUT "/1.0/images/aliases/$alias" \
            --data "{\"target\":\"$fp\",\"description\":\"\"}" </dev/null >/dev/null ||
            coi_die "cannot point alias $alias at $fp"
    else
        incus image alias create "$alias" "$fp" </dev/null || coi_die "cannot create alias $alias"
    fi
    if [[ -n $version ]]; then
        incus image alias create "$version" "$fp" </dev/null || coi_die "cannot create alias $version"
    fi
    if [[ -n $old_fp && $old_fp != "$fp" ]]; then
        incus image delete "$old_fp" </dev/null ||
            printf 'coi setup: WARNING: could not delete the previous %s image %s\n' "$alias" "$old_fp" >&2
    fi
    coi_log "image $alias published (${fp:0:12})"
}

# Launch an ephemeral probe container from IMAGE, run "$@" as uid 1000 in it,
# delete it. Sets COI_PROBE to the container name for the caller's trap.
# shellcheck disable=SC2034
coi_probe() {
    local image=$1 name=$2
    shift 2
    COI_PROBE=$name
    incus delete -f "$name" </dev/null >/dev/null 2>&1 || true
    local msg
    if ! msg=$(incus launch "$image" "$name" --ephemeral </dev/null 2>&1); then
        printf '%s\n' "$msg" >&2
        return 1
    fi
    local rc=0
    "$@" || rc=$?
    incus delete -f "$name" </dev/null >/dev/null 2>&1 || true
    COI_PROBE=''
    return "$rc"
}

# The recipe hash coi build records (coi.recipe) for the recipe SCRIPT, computed as coi-core's
# BuildRecipe does: SHA-256 over the script's SHA-256, then for each "# coi-build: file PATH"
# header (PATH relative to the script's directory) the file's name and its SHA-256, all as bytes.
# Lets the set-up see that coi-sandbox and coi-privileged are up to date without starting a JVM;
# BuildRecipeShellHashTest checks that both agree.
coi_build_recipe_hash() {
    local script=$1 dir name
    dir=$(dirname -- "$script")
    {
        coi_hex_bytes "$(sha256sum <"$script" | cut -c1-64)"
        while IFS= read -r name; do
            [[ -f $dir/$name && ! -L $dir/$name ]] || { printf 'coi setup: ERROR: recipe file %s missing\n' "$dir/$name" >&2; return 1; }
            printf '%s' "${name##*/}"
            coi_hex_bytes "$(sha256sum <"$dir/$name" | cut -c1-64)"
        done < <(sed -nE 's/^[[:space:]]*#[[:space:]]*coi-build:[[:space:]]*file[[:space:]]+([^[:space:]]+)[[:space:]]*$/\1/p' "$script")
    } | sha256sum | cut -c1-64
}

# Writes the bytes a string of hex digits stands for.
coi_hex_bytes() {
    local hex=$1 i out=''
    for ((i = 0; i < ${#hex}; i += 2)); do out+="\\x${hex:i:2}"; done
    printf '%b' "$out"
}
