#!/bin/sh
# coi build recipe of coi-privileged: coi-sandbox plus sudo for claude, the GitHub CLI (gh,
# Debian's) and the SSH client. Run as root with no network; see coi-sandbox/recipe.sh for how
# the packages get here.
# coi-build: base coi-sandbox
# coi-build: apt sudo gh openssh-client
set -eu
cd "$COI_BUILD_DIR"
if ls debs/*.deb >/dev/null 2>&1; then
    dpkg -i "$COI_BUILD_DIR"/debs/*.deb
fi
printf '# coi-privileged: the agent user may run anything as root, without a password.\nclaude ALL=(ALL:ALL) NOPASSWD: ALL\n' \
    >/etc/sudoers.d/claude
chmod 0440 /etc/sudoers.d/claude
visudo -cqf /etc/sudoers.d/claude
apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log /tmp/* /var/tmp/*
for command in sudo gh ssh; do
    command -v "$command" >/dev/null || { echo "missing after the install: $command" >&2; exit 1; }
done
echo "$(gh --version | head -n 1), $(ssh -V 2>&1)"
