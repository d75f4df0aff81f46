#!/usr/bin/env bash
# Installs the pinned OpenAPI linters (package-lock.json) into node_modules with `npm ci`, once per lock file: when the
# installed tree matches the lock it does nothing. Run by .ci/install-deps.sh and by the lint test itself.
# Install scripts are not run: the linters need none (one dependency's only script reports installs to its vendor).
set -euo pipefail
cd "$(dirname "$0")"

stamp=node_modules/.installed-from-lock
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "openapi-lint: Node.js and npm are needed (Node.js 20 or later); install them, e.g. apt-get install -y nodejs npm" >&2
    exit 1
fi

major=$(node --version | sed -E 's/^v([0-9]+).*/\1/')
if ((major < 20)); then
    echo "openapi-lint: Node.js 20 or later is needed by @redocly/cli and Spectral; this is $(node --version)" >&2
    exit 1
fi

npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
