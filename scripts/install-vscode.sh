#!/usr/bin/env bash
# Installs what the integration/e2e tiers and the demo need, offline-safe: Debian's chromium + ripgrep +
# native build deps (apt), and code-server 4.100.3 (= VS Code 1.100.3) from the npm registry into .tools/.
# Idempotent: a second run checks a stamp file and the binaries and returns in well under a second.
# Why by hand: code-server's own postinstall downloads ripgrep from GitHub, which is unreachable here.
set -euo pipefail

CS_VERSION=4.100.3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${UNROLL_TOOLS_DIR:-$ROOT/.tools}"
CS_DIR="$TOOLS/code-server-$CS_VERSION"
CS_PKG="$CS_DIR/node_modules/code-server"
STAMP="$CS_DIR/.installed"
APT_PACKAGES=(chromium ripgrep build-essential python3 pkg-config libkrb5-dev)
t0=$(date +%s)

log() { echo "[install-vscode] $*"; }
die() { echo "[install-vscode] ERROR: $*" >&2; exit 1; }

# ---- 1. apt packages -----------------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then SUDO=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=(sudo -n)
  else die "missing Debian packages: ${missing[*]}. Installing them needs root or passwordless sudo; run as root: apt-get install -y ${missing[*]}"
  fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Update the lists only when a package is missing (keeps the second run offline and fast).
  "${SUDO[@]}" apt-get update -qq || die "apt-get update failed (is a Debian mirror reachable?)"
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
fi
command -v chromium >/dev/null || die "chromium not found after install"
command -v rg >/dev/null || die "ripgrep (rg) not found after install"

# ---- 2. code-server ------------------------------------------------------------------------------
if [[ -f "$STAMP" && -f "$CS_PKG/out/node/entry.js" && -L "$CS_PKG/lib/vscode/node_modules.asar" ]]; then
  log "code-server $CS_VERSION already installed in ${CS_DIR#$ROOT/} ($(( $(date +%s) - t0 )) s)"
  exit 0
fi

NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[[ "$NODE_MAJOR" == 20 ]] || die "code-server $CS_VERSION needs Node 20 (found $(node --version))"
NODE_PREFIX="$(dirname "$(dirname "$(command -v node)")")"
[[ -f "$NODE_PREFIX/include/node/node_api.h" ]] || die "Node headers not found in $NODE_PREFIX/include/node (needed to build native modules offline)"
# node-gyp must use the local headers, never download them.
export npm_config_nodedir="$NODE_PREFIX"
export npm_config_build_from_source=true
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# The project's .npmrc sets engine-strict; code-server's tree is not ours, so don't inherit it.
export npm_config_engine_strict=false

rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
cd "$CS_DIR"
echo '{"name":"unroll-tools","private":true}' > package.json
log "npm install code-server@$CS_VERSION (scripts off)"
npm install --ignore-scripts --no-package-lock "code-server@$CS_VERSION" >npm-install.log 2>&1 \
  || { tail -20 npm-install.log >&2; die "npm install code-server failed (see $CS_DIR/npm-install.log)"; }

log "rebuild argon2 from source"
npm rebuild argon2 >>npm-install.log 2>&1 || { tail -20 npm-install.log >&2; die "building argon2 failed"; }

VS="$CS_PKG/lib/vscode"
cd "$VS"
log "install VS Code server dependencies"
npm install --omit=dev --ignore-scripts --no-package-lock >>"$CS_DIR/npm-install.log" 2>&1 \
  || { tail -20 "$CS_DIR/npm-install.log" >&2; die "installing lib/vscode dependencies failed"; }
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg

NODE_GYP="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$NODE_GYP" ]] || NODE_GYP="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$NODE_GYP" ]] || die "npm's bundled node-gyp not found"
for m in kerberos @vscode/spdlog @vscode/deviceid native-watchdog node-pty; do
  [[ -d "node_modules/$m" ]] || continue
  log "build native module $m"
  (cd "node_modules/$m" && node "$NODE_GYP" rebuild -j max --nodedir="$NODE_PREFIX" >>"$CS_DIR/npm-install.log" 2>&1) \
    || { tail -20 "$CS_DIR/npm-install.log" >&2; die "building $m failed"; }
done

# Links code-server's postinstall would have made.
ln -sfn node_modules node_modules.asar
ln -sf code-linux.sh bin/remote-cli/code-server
ln -sf browser-linux.sh bin/helpers/browser.sh

log "install built-in extensions' dependencies"
(cd extensions && npm install --omit=dev --no-package-lock >>"$CS_DIR/npm-install.log" 2>&1) \
  || { tail -20 "$CS_DIR/npm-install.log" >&2; die "installing built-in extensions' dependencies failed"; }

# Run with a throwaway HOME: code-server writes a default config file on every start.
smoke_home="$(mktemp -d)"
ver="$(HOME="$smoke_home" XDG_CONFIG_HOME="$smoke_home" XDG_DATA_HOME="$smoke_home" node "$CS_PKG/out/node/entry.js" --version 2>/dev/null | grep -m1 "^$CS_VERSION" || true)"
rm -rf "$smoke_home"
[[ "$ver" == "$CS_VERSION"* ]] || die "code-server smoke test failed: '$ver'"
echo "$ver" > "$STAMP"
log "installed $ver in $(( $(date +%s) - t0 )) s"
