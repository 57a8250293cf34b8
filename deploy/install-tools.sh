#!/usr/bin/env bash
# Install the tools the test tiers use besides Python: promtool (Debian's `prometheus`) and libfaketime (`faketime`:
# the oversight tests move a running suite's clock to scan as of a later day).
# Idempotent and fast when present; runs `apt-get update` only when a package has no candidate.
# Fails (exit 1) when a tool cannot be installed: the tests that need it must fail, not skip.
set -u
source "$(dirname "$0")/apt-install.sh"

mapfile -t missing < <(apt_missing prometheus faketime)
if [ ${#missing[@]} -eq 0 ] && command -v promtool >/dev/null; then
  exit 0
fi
# The package's maintainer scripts try to start a Prometheus daemon; policy-rc.d keeps it stopped.
APT_QUIET_DAEMONS=1 apt_install install-tools "${missing[@]}" || exit 1
command -v promtool >/dev/null || { echo "install-tools: promtool is still missing" >&2; exit 1; }
compgen -G "/usr/lib/*/faketime/libfaketime.so.1" >/dev/null || { echo "install-tools: libfaketime is still missing" >&2; exit 1; }
echo "install-tools: $(promtool --version 2>&1 | head -1)"
