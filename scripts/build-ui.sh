#!/usr/bin/env bash
# Builds the web UI (frontend/, a Next.js static export) into build/ui, which build/todo
# serves at / (src/web). Called by `make build`.
#
# - npm ci runs only when frontend/node_modules is missing or package-lock.json changed.
# - The build is skipped when no file under frontend/ (node_modules, out and .next aside)
#   changed since the last one: a fingerprint of their contents is kept in build/ui.stamp
#   (contents, not times, so a fresh checkout or a touch does not rebuild for nothing).
# - Text files get a gzip -9 sibling (name.gz) that the server sends to clients accepting
#   gzip, so nothing is compressed per request.
# UI_OUT_DIR overrides build/ui; NEXT_PUBLIC_API_BASE is passed to the build (default '').
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir=${UI_OUT_DIR:-build/ui}
stamp="$out_dir.stamp"
export NEXT_TELEMETRY_DISABLED=1

if ! command -v npm >/dev/null 2>&1; then
  echo "build-ui: npm not found (apt-get install nodejs npm, Node >= 20.19)" >&2
  exit 1
fi

fingerprint() {
  {
    echo "api_base=${NEXT_PUBLIC_API_BASE:-}"
    find frontend \( -path frontend/node_modules -o -path frontend/out -o -path frontend/.next \) -prune \
      -o -type f ! -name '*.tsbuildinfo' ! -name next-env.d.ts -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum
  } | sha256sum | cut -d' ' -f1
}

sources=$(fingerprint)
if [ -f "$out_dir/index.html" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sources" ]; then
  exit 0  # up to date
fi

lock_sum=$(sha256sum frontend/package-lock.json | cut -d' ' -f1)
if [ ! -d frontend/node_modules ] || [ "$(cat frontend/node_modules/.lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
  echo "build-ui: npm ci (frontend)"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >frontend/node_modules/.lock-sha256
fi

echo "build-ui: next build (frontend -> $out_dir)"
log=$(mktemp)
(cd frontend && npx --no-install next build >"$log" 2>&1) || {
  cat "$log" >&2
  echo "build-ui: next build failed (its output is above)" >&2
  rm -f "$log"
  exit 1
}
rm -f "$log"

# Assemble beside the target, then swap, so a running server's directory is never half
# written (the server reads it at start).
tmp="$out_dir.tmp"
rm -rf "$tmp"
mkdir -p "$(dirname "$out_dir")"
cp -r frontend/out "$tmp"
find "$tmp" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.txt' \
  -o -name '*.json' -o -name '*.svg' \) -size +1k -exec gzip -9 -n -k -f {} +
rm -rf "$out_dir"
mv "$tmp" "$out_dir"
echo "$sources" >"$stamp"
echo "build-ui: $(find "$out_dir" -type f ! -name '*.gz' | wc -l) files in $out_dir"
