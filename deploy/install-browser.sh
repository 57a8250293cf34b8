#!/usr/bin/env bash
# Install Debian's headless chromium, a CJK font and zbarimg (QR decoding) for the browser tests (tests/browser).
# Idempotent and fast when both are present; runs `apt-get update` only when a package has no candidate.
# Fails (exit 1) when they cannot be installed: browser tests must fail, not skip.
set -u

PACKAGES=(chromium fonts-noto-cjk zbar-tools)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
has_candidate() { apt-cache policy "$1" 2>/dev/null | grep -q "Candidate: [^(]"; }

missing=()
for package in "${PACKAGES[@]}"; do
  installed "$package" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ] && command -v chromium zbarimg >/dev/null; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-browser: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
for package in "${missing[@]}"; do
  if ! has_candidate "$package"; then
    echo "install-browser: apt-get update"
    $SUDO apt-get update -q || { echo "install-browser: apt-get update failed" >&2; exit 1; }
    break
  fi
done
echo "install-browser: installing ${missing[*]}"
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
  || { echo "install-browser: apt-get install ${missing[*]} failed" >&2; exit 1; }
for tool in chromium zbarimg; do
  command -v "$tool" >/dev/null || { echo "install-browser: $tool is still missing" >&2; exit 1; }
done
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || { echo "install-browser: no Noto Sans CJK font" >&2; exit 1; }
echo "install-browser: installed ${missing[*]}"
