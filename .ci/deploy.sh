#!/usr/bin/env bash
# CI: install what scripts/validate-compose.sh needs (compose parser, Dockerfile linter, shellcheck); .ci/run calls it.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd "$(dirname "$0")/.."

# Debian's docker-compose (v1.29, Compose spec with profiles) parses and validates docker-compose.yml offline;
# ShellCheck lints the deploy scripts; systemd-analyze (systemd) verifies the unit; dovecot comes from .ci/dovecot.sh.
need=()
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The Dockerfile linter of VS Code's Docker support (dockerfile-utils, on dockerfile-ast), kept out of the
# project's own dependencies in a folder of its own.
TOOLS=${LISTWARDEN_CI_TOOLS:-/opt/listwarden-ci-tools}
if [ ! -x "$TOOLS/node_modules/.bin/dockerfile-utils" ]; then
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --no-save dockerfile-utils@0.16.3 >/dev/null
fi
docker-compose version --short
"$TOOLS/node_modules/.bin/dockerfile-utils" --version
