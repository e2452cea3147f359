#!/bin/sh
# Installs the Debian packages cyberpact needs to build, run and test.
# Idempotent: does nothing when every package is already installed.
# Used by `make run`, `make test` and `.ci/run`; never install by hand.
# sqlite3 (the shell) and nginx are the floors of bench/taxii.sh. nginx is Debian's
# plain package (nginx-light is only nginx plus an echo module in Debian 12). The
# benchmark starts its own nginx on loopback from a temporary nginx.conf and needs
# no system service (where the machine runs services, Debian starts one on port 80;
# in these containers policy-rc.d stops it from starting).
set -eu

PKGS="build-essential cmake pkg-config clang \
libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libpq-dev \
postgresql iso-codes python3 python3-pytest python3-jsonschema wrk curl openssl \
sqlite3 nginx"
# libcurl: record verify --server, match --report/--indicators URL, webhooks (docs/decisions.md).
PKGS="$PKGS libcurl4-openssl-dev"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
