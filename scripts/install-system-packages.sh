#!/usr/bin/env bash
# Installs the Debian packages the project needs beyond Python: gettext (compiling the
# interface translations), fonts that cover all six UN scripts (Latin, Cyrillic, Arabic, Han)
# and the Pango libraries for WeasyPrint PDFs, and Debian's chromium for the browser tests.
# Called by `make run`, `make test` and .ci/run; does nothing when everything is present.
set -euo pipefail

packages=(
  gettext
  chromium
  fonts-noto-core
  fonts-noto-cjk
  fonts-dejavu-core
  libpango-1.0-0
  libpangoft2-1.0-0
  libharfbuzz-subset0
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-packages: not a Debian-like system; please install: ${missing[*]}" >&2
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-system-packages: missing ${missing[*]}; run this script as root (or with sudo)." >&2
  exit 0
fi

echo "install-system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
