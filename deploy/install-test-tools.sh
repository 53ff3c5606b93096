#!/usr/bin/env bash
# Installs the tools the deploy tests need: promtool and prometheus (Debian's `prometheus` package).
# Idempotent and quiet: does nothing when promtool is already on PATH. Needs root (or sudo) and apt.
# `make test` calls it (target test-tools), so the deploy tests run on a fresh machine too.
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
    exit 0
fi

die() { echo "install-test-tools: $*" >&2; exit 1; }

command -v apt-get >/dev/null 2>&1 \
    || die "promtool is missing and apt-get is not available: install Prometheus 2.x (promtool, prometheus) by hand"

SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "promtool is missing and installing it needs root (no sudo found)"
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp -t install-test-tools.XXXXXX)
trap 'rm -f "$LOG"' EXIT
attempt() {  # attempt DESCRIPTION CMD...: run CMD up to 3 times, 10s then 20s apart
    local what=$1; shift
    for i in 1 2 3; do
        if "$@" >"$LOG" 2>&1; then return 0; fi
        [ "$i" = 3 ] && { tail -n 20 "$LOG" >&2; die "$what failed 3 times (log above): check access to the Debian mirror"; }
        echo "install-test-tools: $what failed; retrying in $((i * 10))s" >&2
        sleep $((i * 10))
    done
}

echo "install-test-tools: installing promtool and prometheus (apt package 'prometheus') ..."
attempt "apt-get update" $SUDO apt-get update -q
# --no-install-recommends: skip the node exporter and friends; the package still brings both binaries.
attempt "apt-get install prometheus" $SUDO apt-get install -y -q --no-install-recommends prometheus
# The package starts a system service where an init system runs; tests start their own Prometheus.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
command -v promtool >/dev/null 2>&1 || die "apt installed 'prometheus' but promtool is not on PATH"
echo "install-test-tools: $(promtool --version 2>&1 | head -1)"
