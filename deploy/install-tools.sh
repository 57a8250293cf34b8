#!/usr/bin/env bash
# Install the command-line tools the test tiers use besides Python: promtool (Debian's `prometheus`).
# Idempotent and fast when present; runs `apt-get update` only when a package has no candidate.
# Fails (exit 1) when a tool cannot be installed: the tests that need it must fail, not skip.
set -u

PACKAGES=(prometheus)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
has_candidate() { apt-cache policy "$1" 2>/dev/null | grep -q "Candidate: [^(]"; }

missing=()
for package in "${PACKAGES[@]}"; do
  installed "$package" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ] && command -v promtool >/dev/null; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-tools: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
for package in "${missing[@]}"; do
  if ! has_candidate "$package"; then
    echo "install-tools: apt-get update"
    $SUDO apt-get update -q || { echo "install-tools: apt-get update failed" >&2; exit 1; }
    break
  fi
done
echo "install-tools: installing ${missing[*]}"
# The package's maintainer scripts try to start a Prometheus daemon; policy-rc.d keeps it stopped.
POLICY=/usr/sbin/policy-rc.d
ADDED_POLICY=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod +x "$POLICY" && ADDED_POLICY=1
fi
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
status=$?
[ -n "$ADDED_POLICY" ] && $SUDO rm -f "$POLICY"
[ $status -eq 0 ] || { echo "install-tools: apt-get install ${missing[*]} failed" >&2; exit 1; }
command -v promtool >/dev/null || { echo "install-tools: promtool is still missing" >&2; exit 1; }
echo "install-tools: $(promtool --version 2>&1 | head -1)"
