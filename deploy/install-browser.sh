#!/usr/bin/env bash
# Install Debian's headless chromium, a CJK font, a traditional Mongolian font (Noto Sans Mongolian, in Debian's
# fonts-noto-core: the pages and A4 prints draw Mongolian with it, ADR 0030) and zbarimg (QR decoding) for the
# browser tests (tests/browser) and the served pages.
# Idempotent and fast when both are present; runs `apt-get update` only when a package has no candidate.
# Fails (exit 1) when they cannot be installed: browser tests must fail, not skip.
set -u
source "$(dirname "$0")/apt-install.sh"

mapfile -t missing < <(apt_missing chromium fonts-noto-cjk fonts-noto-core zbar-tools)
if [ ${#missing[@]} -eq 0 ] && command -v chromium zbarimg >/dev/null; then
  exit 0
fi
apt_install install-browser "${missing[@]}" || exit 1
for tool in chromium zbarimg; do
  command -v "$tool" >/dev/null || { echo "install-browser: $tool is still missing" >&2; exit 1; }
done
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || { echo "install-browser: no Noto Sans CJK font" >&2; exit 1; }
fc-list 2>/dev/null | grep -q "Noto Sans Mongolian" || { echo "install-browser: no Noto Sans Mongolian font" >&2; exit 1; }
echo "install-browser: installed ${missing[*]}"
