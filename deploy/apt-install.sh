#!/usr/bin/env bash
# Shared by install-browser.sh and install-tools.sh: `apt_install NAME PACKAGE…` installs the Debian packages
# not yet installed, running `apt-get update` only when one has no candidate. Returns 1 on any failure.
# Set APT_QUIET_DAEMONS=1 to keep maintainer scripts from starting daemons (policy-rc.d).

apt_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
apt_has_candidate() { apt-cache policy "$1" 2>/dev/null | grep -q "Candidate: [^(]"; }

apt_missing() {
  local package
  for package in "$@"; do apt_installed "$package" || printf '%s\n' "$package"; done
}

apt_install() {
  local name=$1; shift
  local missing=("$@") sudo="" package status added_policy=""
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "$name: need root (or sudo) to install ${missing[*]}" >&2; return 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  for package in "${missing[@]}"; do
    if ! apt_has_candidate "$package"; then
      echo "$name: apt-get update"
      $sudo apt-get update -q || { echo "$name: apt-get update failed" >&2; return 1; }
      break
    fi
  done
  echo "$name: installing ${missing[*]}"
  local policy=/usr/sbin/policy-rc.d
  if [ -n "${APT_QUIET_DAEMONS:-}" ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && added_policy=1
  fi
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  status=$?
  [ -n "$added_policy" ] && $sudo rm -f "$policy"
  [ $status -eq 0 ] || { echo "$name: apt-get install ${missing[*]} failed" >&2; return 1; }
}
