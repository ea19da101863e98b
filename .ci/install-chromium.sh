#!/usr/bin/env bash
# CI: headless Chromium for tests/e2e (the Prefect UI check). Debian's packages, root needed.
# Does nothing when chromium is already on PATH.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-chromium: chromium is missing and this is not root; run as root:" >&2
    echo "  apt-get update && apt-get install -y chromium chromium-driver" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium chromium-driver
command -v chromium >/dev/null
chromium --version
