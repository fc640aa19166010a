#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Tournages needs, only those that are missing.
# As root it installs them; with password-less sudo it uses sudo; otherwise it prints
# the exact command to run and fails, so a newcomer knows what to do.
set -euo pipefail

pg_version() {
  # The PostgreSQL major version the distribution ships (installed, else candidate).
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1 || true)
  if [ -z "$v" ]; then
    v=$(apt-cache policy postgresql 2>/dev/null | awk '/Candidate:/ {print $2}' | sed -E 's/^([0-9]+).*/\1/')
  fi
  echo "$v"
}

missing=()
need() {  # need PACKAGE TEST-COMMAND...
  local pkg=$1; shift
  if ! "$@" >/dev/null 2>&1; then missing+=("$pkg"); fi
}

run_privileged() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

can_install() {
  [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null
}

if [ -z "$(pg_version)" ] && can_install; then
  run_privileged apt-get update -qq
fi
PG=$(pg_version)
if [ -z "$PG" ]; then
  echo "PostgreSQL is not installed and its version could not be found: run 'sudo apt-get update' first." >&2
  exit 1
fi

need "postgresql-$PG" test -x "/usr/lib/postgresql/$PG/bin/postgres"
need "postgresql-$PG-postgis-3" test -f "/usr/share/postgresql/$PG/extension/postgis.control"
for pkg in ${TOURNAGES_EXTRA_PACKAGES:-}; do
  need "$pkg" dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null
done
while read -r pkg; do
  [ -n "$pkg" ] && need "$pkg" sh -c "dpkg-query -W -f='\${Status}' '$pkg' | grep -q 'install ok installed'"
done < <(grep -v '^#' "$(dirname "$0")/system-packages.txt" | sed 's/[[:space:]]*#.*//')

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! can_install; then
  echo "Tournages needs these system packages, which are missing:" >&2
  echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
run_privileged apt-get update -qq
run_privileged apt-get install -y -qq --no-install-recommends "${missing[@]}"
