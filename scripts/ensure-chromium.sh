#!/usr/bin/env bash
# The browser tests use Debian's chromium (a real browser, not a downloaded test build).
# Installs it when missing and we are root (as on CI); otherwise says how.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium is missing: install Debian's package (sudo apt-get install chromium)" >&2
  exit 1
fi
