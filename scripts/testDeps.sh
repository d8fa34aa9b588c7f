#!/usr/bin/env bash
# System packages the test suite needs beyond npm: Debian's chromium, which the web app's browser tests
# (test/e2e/web.test.ts) drive with playwright-core (nothing is downloaded at run time), and CJK fonts, as the pages
# are Chinese first. Installed with apt-get when missing and running as root; otherwise says what to install.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} for the browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "the browser tests need: ${missing[*]}. Install them, e.g.: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
