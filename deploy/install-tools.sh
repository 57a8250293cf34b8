#!/usr/bin/env bash
# Install the command-line tools the test tiers use besides Python: promtool (Debian's `prometheus`), libfaketime
# (Debian's `faketime`: the oversight tests move a running suite's clock to scan as of a later day) and the AsyncAPI
# project's parser (npm `@asyncapi/parser`, pinned by tools/asyncapi/package-lock.json) and axe-core (npm
# `axe-core`, pinned by tools/axe/package-lock.json: the browser tests run it in each page for accessibility).
# `install-tools.sh asyncapi` (or `axe`, `promtool`, `faketime`) installs one of them; no argument installs all.
# Idempotent and fast when present; runs `apt-get update` only when a package has no candidate.
# Fails (exit 1) when a tool cannot be installed: the tests that need it must fail, not skip.
set -u
cd "$(dirname "$0")/.." || exit 1
source deploy/apt-install.sh

install_promtool() {
  local missing
  mapfile -t missing < <(apt_missing prometheus)
  if [ ${#missing[@]} -eq 0 ] && command -v promtool >/dev/null; then
    return 0
  fi
  # The package's maintainer scripts try to start a Prometheus daemon; policy-rc.d keeps it stopped.
  APT_QUIET_DAEMONS=1 apt_install install-tools "${missing[@]}" || return 1
  command -v promtool >/dev/null || { echo "install-tools: promtool is still missing" >&2; return 1; }
  echo "install-tools: $(promtool --version 2>&1 | head -1)"
}

# `npm ci` runs only when package-lock.json changed since the last install (node_modules keeps its sha256).
# --ignore-scripts: nothing the parser needs builds at install time (one dependency's script only phones home).
# install_npm FOLDER PACKAGE: `npm ci` of tools/FOLDER, then prints PACKAGE's installed version.
install_npm() {
  local folder=tools/$1 package=$2 missing want
  local stamp=$folder/node_modules/.installed-lock-sha256
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    mapfile -t missing < <(apt_missing nodejs npm)
    apt_install install-tools "${missing[@]}" || return 1
  fi
  want=$(sha256sum "$folder/package-lock.json" | cut -d' ' -f1) || return 1
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  npm ci --prefix "$folder" --ignore-scripts --no-audit --no-fund --loglevel=error \
    || { echo "install-tools: npm ci --prefix $folder failed" >&2; return 1; }
  echo "$want" > "$stamp"
  echo "install-tools: $package $(node -p "require('./$folder/node_modules/$package/package.json').version")"
}

install_faketime() {
  local missing
  mapfile -t missing < <(apt_missing faketime)
  [ ${#missing[@]} -eq 0 ] || apt_install install-tools "${missing[@]}" || return 1
  compgen -G "/usr/lib/*/faketime/libfaketime.so.1" >/dev/null \
    || { echo "install-tools: libfaketime is still missing" >&2; return 1; }
}

tools=("$@")
[ ${#tools[@]} -eq 0 ] && tools=(promtool faketime asyncapi axe)
for tool in "${tools[@]}"; do
  case "$tool" in
    promtool) install_promtool || exit 1 ;;
    faketime) install_faketime || exit 1 ;;
    asyncapi) install_npm asyncapi @asyncapi/parser || exit 1 ;;
    axe) install_npm axe axe-core || exit 1 ;;
    *) echo "install-tools: unknown tool $tool (promtool, faketime, asyncapi, axe)" >&2; exit 2 ;;
  esac
done
