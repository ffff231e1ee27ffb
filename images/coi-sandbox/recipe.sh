#!/bin/sh
# coi build recipe of coi-sandbox: run as root in a container of the base image (coi-base:
# Debian bookworm with systemd and the user claude, uid 1000), with no network. coi fetches on
# the host what the headers below ask for and puts it in $COI_BUILD_DIR (/coi-build):
#   debs/  the Debian packages, and what they need that the base lacks (apt on the host)
#   npm/   npm pack tarballs
#   files/ the files named by "file" headers
# coi-build: apt nodejs git tmux ripgrep docker.io sudo ca-certificates
# coi-build: npm @anthropic-ai/claude-code-linux-x64@2.1.332
# coi-build: file ../stub/claude-stub
set -eu
cd "$COI_BUILD_DIR"
CLAUDE_VERSION=2.1.332

# No service starts while packages install (docker.io's postinst would start dockerd).
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT

# dpkg, given the whole set at once, unpacks it all and configures in dependency order.
# (apt-get install of local files stops with "Internal Error, Pathname to install is not
# absolute" here.) A base that has every package already gets no debs/ at all.
if ls debs/*.deb >/dev/null 2>&1; then
    echo "installing $(ls debs | wc -l) packages offline"
    dpkg -i "$COI_BUILD_DIR"/debs/*.deb
fi

# The agent: current versions of @anthropic-ai/claude-code are a small wrapper whose install
# script (Node.js 22 or later, absent from bookworm) copies a native binary from the optional
# package @anthropic-ai/claude-code-linux-x64. That package alone holds the whole CLI as one
# executable that needs no Node.js: unpack it and put it on PATH.
mkdir -p /opt/claude-code
tar -xzf "npm/anthropic-ai-claude-code-linux-x64-$CLAUDE_VERSION.tgz" -C /opt/claude-code --strip-components=1
chmod 0755 /opt/claude-code/claude
ln -sf /opt/claude-code/claude /usr/local/bin/claude
# The container has no network: no auto-update attempts.
printf 'DISABLE_AUTOUPDATER=1\n' >>/etc/environment

install -m 0755 files/claude-stub /usr/local/bin/claude-stub

# The agent user (the base has it; a plainer base may not).
if ! id claude >/dev/null 2>&1; then
    groupadd --gid 1000 claude
    useradd --uid 1000 --gid 1000 --create-home --shell /bin/bash claude
fi
# Docker inside: claude may use the container's own Docker daemon. Its socket belongs to group
# claude, claude's primary group: Incus runs a command as uid:gid without supplementary groups,
# so membership of group docker would not reach it. (Docker access is root in this container,
# never on the host: the container is unprivileged.)
usermod -aG docker claude
mkdir -p /etc/systemd/system/docker.socket.d
printf '[Socket]\nSocketGroup=claude\n' >/etc/systemd/system/docker.socket.d/coi-claude.conf
# No general sudo: only powering the container off, which ends a session from inside.
printf '# coi-sandbox: claude may power the container off, nothing else.\nclaude ALL=(root) NOPASSWD: /usr/sbin/poweroff, /usr/bin/systemctl poweroff\n' \
    >/etc/sudoers.d/claude-poweroff
chmod 0440 /etc/sudoers.d/claude-poweroff
visudo -cqf /etc/sudoers.d/claude-poweroff
if id -nG claude | tr ' ' '\n' | grep -qx sudo; then
    echo "claude must not be in group sudo" >&2
    exit 1
fi

apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log /tmp/* /var/tmp/*
# What sessions and coi's tests rely on: a build without one of them fails here, not later.
for command in bash tmux git node claude claude-stub docker sudo; do
    command -v "$command" >/dev/null || { echo "missing after the install: $command" >&2; exit 1; }
done
echo "claude $(su claude -c 'claude --version'), node $(node --version), $(docker --version)"
