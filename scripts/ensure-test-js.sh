#!/usr/bin/env bash
# The browser tests inject axe-core (the accessibility checker) into each page. It comes from the
# npm registry, pinned by tests/js/package-lock.json, installed here before the tests run: the
# tests never fetch anything at run time. Installs Debian's npm when missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/../tests/js"
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's npm for the browser tests' axe-core"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    echo "npm is missing: install Debian's package (sudo apt-get install npm)" >&2
    exit 1
  fi
fi
# npm ci installs exactly the lockfile; skipped when what is installed already matches it.
if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-lock
fi
