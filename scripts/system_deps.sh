#!/usr/bin/env bash
# Debian packages the browser and PostgreSQL tests need. Idempotent and quick when present;
# without root (or apt-get) it says what is missing, and those tests skip with a message.
set -uo pipefail
want=()
command -v chromium >/dev/null 2>&1 || want+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want+=(postgresql)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "system_deps: missing ${want[*]} (needs root and apt-get); their tests will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null \
    || echo "system_deps: could not install ${want[*]}; their tests will skip" >&2
exit 0
