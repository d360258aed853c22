#!/usr/bin/env bash
# Builds the dashboard (web/ -> web/dist) for CMake to embed into the binary: `npm ci` when the
# lock file is newer than node_modules, `npm run build` (tsc, eslint, vite) when a source or
# the build's configuration is newer than the last build; a type or lint error fails it. Without
# npm, or with a Node.js older than Vite 7 needs (20.19), it says so and leaves web/dist as it
# is; the server then serves a page that says how to build the dashboard.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "build_web: npm not found; the dashboard is not built (see web/README.md)"
  exit 0
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "build_web: Node.js $(node --version) is older than 20.19 (Vite 7); the dashboard is not built"
  exit 0
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ ! -f dist/index.html ] || [ -n "$(find src index.html vite.config.ts tsconfig.json eslint.config.js package.json package-lock.json -newer dist/index.html -print -quit)" ]; then
  npm run build
else
  echo "build_web: web/dist is up to date"
fi
