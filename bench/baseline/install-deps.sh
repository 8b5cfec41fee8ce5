#!/usr/bin/env bash
# Bench-only packages (not needed to build, run or test the product): the comparison
# baseline's stack (bench/baseline/app.py) and nginx, the fixed-JSON reference of
# bench/users.sh and bench/side_by_side.sh. Idempotent; needs no network when installed.
set -euo pipefail
packages=(python3-fastapi python3-uvicorn python3-sqlalchemy python3-psycopg2 python3-jwt nginx wrk linux-perf)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "bench install-deps: installing ${missing[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
# The nginx package would start a system nginx on port 80 where services may start: the
# benches start their own, on 127.0.0.1 with a throwaway config, so keep it from starting.
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  policy=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy"
fi
trap '[ -n "$policy" ] && $SUDO rm -f "$policy"' EXIT
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
