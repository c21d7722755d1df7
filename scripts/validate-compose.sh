#!/usr/bin/env bash
# Validates the Docker side without a Docker engine: compose file, Dockerfiles, the runtime stage's deps, the demo IMAP image, the systemd unit.
#
# Usage: scripts/validate-compose.sh [--only compose|dockerfile|runtime|demo-imap|systemd|shell]
#                                    [--compose FILE] [--dockerfile FILE]
# Tools (installed by .ci/deploy.sh): Debian's docker-compose (v1.29: parses the Compose spec, interpolates,
# validates against its schema), dockerfile-utils (the Dockerfile linter of VS Code's Docker support) in
# $LISTWARDEN_CI_TOOLS, shellcheck, systemd-analyze, dovecot, unshare. `docker compose` (v2) is used as well
# when its plugin is installed. Prints one `ok:` line per check; exits 1 at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ONLY=""
COMPOSE=docker-compose.yml
DOCKERFILE=Dockerfile
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY=$2; shift 2 ;;
    --compose) COMPOSE=$2; shift 2 ;;
    --dockerfile) DOCKERFILE=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "validate-compose: unknown argument $1" >&2; exit 2 ;;
  esac
done
TOOLS=${LISTWARDEN_CI_TOOLS:-/opt/listwarden-ci-tools}
export LISTWARDEN_CI_TOOLS=$TOOLS
DFU="$TOOLS/node_modules/.bin/dockerfile-utils"

ok() { printf 'ok: %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed: run bash .ci/deploy.sh"; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lw-validate.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# --- compose ---------------------------------------------------------------------------------------------
if want compose; then
  need docker-compose
  DC=(docker-compose -f "$COMPOSE" --project-directory .)
  # Parse, interpolate and check against the Compose schema. The output holds the env file's values: kept out of logs.
  "${DC[@]}" config >"$TMP/compose.yml" 2>"$TMP/compose.err" || fail "docker-compose config: $(cat "$TMP/compose.err")"
  ok "docker-compose $(docker-compose version --short) parsed $COMPOSE (Compose spec schema, interpolation, env files)"
  services=$("${DC[@]}" --profile demo config --services | sort | tr '\n' ' ')
  ok "services: ${services% }"
  node deploy/ci/compose-checks.mjs "$COMPOSE" <"$TMP/compose.yml" || fail "$COMPOSE does not keep its promises (above)"
  ok "compose contract: redis AOF + noeviction + health check; poller and scalable workers; config read-only; secrets from an env file; demo profile"
  # A real deployment's settings: its own config folder and env file are what gets mounted and read.
  mkdir -p "$TMP/conf"
  printf 'LISTWARDEN_IMAP_PASS=x\n' >"$TMP/real.env"
  LISTWARDEN_CONFIG_DIR="$TMP/conf" LISTWARDEN_CONFIG_FILE=mylist.yaml LISTWARDEN_ENV_FILE="$TMP/real.env" \
    "${DC[@]}" config >"$TMP/compose-real.yml" 2>"$TMP/compose.err" || fail "docker-compose config with settings: $(cat "$TMP/compose.err")"
  grep -q "$TMP/conf:/etc/listwarden:ro" "$TMP/compose-real.yml" && grep -q '/etc/listwarden/mylist.yaml' "$TMP/compose-real.yml" \
    || fail "LISTWARDEN_CONFIG_DIR / LISTWARDEN_CONFIG_FILE are not used"
  grep -q 'LISTWARDEN_NOTIFY_SECRET' "$TMP/compose-real.yml" && fail "LISTWARDEN_ENV_FILE is not used (the example's values are still read)"
  ok "LISTWARDEN_CONFIG_DIR, LISTWARDEN_CONFIG_FILE and LISTWARDEN_ENV_FILE take effect"
  if docker compose version >/dev/null 2>&1; then
    docker compose -f "$COMPOSE" --project-directory . --profile demo config -q 2>"$TMP/compose.err" || fail "docker compose config: $(cat "$TMP/compose.err")"
    ok "docker compose $(docker compose version --short) parsed $COMPOSE"
  else
    ok "(docker compose v2 is not installed here; docker-compose v1 did the parsing)"
  fi
  # The config the demo mounts must load, with the env file's variables.
  set -a; . ./deploy/listwarden.env.example; set +a
  node dist/cli.js check-config deploy/config/listwarden.yaml >/dev/null 2>"$TMP/cc.err" || fail "deploy/config/listwarden.yaml: $(cat "$TMP/cc.err")"
  ok "deploy/config/listwarden.yaml loads (listwarden check-config)"
fi

# --- Dockerfiles -----------------------------------------------------------------------------------------
if want dockerfile; then
  [ -x "$DFU" ] || fail "dockerfile-utils is not installed in $TOOLS: run bash .ci/deploy.sh"
  for f in "$DOCKERFILE" deploy/demo/dovecot.Dockerfile; do
    out=$("$DFU" lint "$f" 2>&1) || fail "dockerfile-utils lint $f:
$out"
    [ -z "$out" ] || fail "dockerfile-utils lint $f:
$out"
    ok "$("$DFU" --version | sed 's/ (.*//') lint $f: no problems"
  done
  node deploy/ci/dockerfile-checks.mjs "$DOCKERFILE" .dockerignore || fail "$DOCKERFILE does not keep its promises (above)"
  ok "Dockerfile contract: multi-stage, non-root USER, HEALTHCHECK, no dev deps in the runtime stage, sources in the build context"
  grep -q '^COPY dovecot.conf.tmpl' deploy/demo/dovecot.Dockerfile && [ -f deploy/demo/dovecot.conf.tmpl ] && [ -f deploy/demo/dovecot-entrypoint.sh ] \
    || fail "deploy/demo/dovecot.Dockerfile copies files that are not there"
fi

# --- the runtime stage, without Docker: production dependencies only, then the CLI and the feeder ---------------
if want runtime; then
  [ -f dist/cli.js ] || npm run --silent build
  mkdir -p "$TMP/app"
  cp package.json package-lock.json "$TMP/app/"
  (cd "$TMP/app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline >/dev/null 2>"$TMP/npm.err") \
    || fail "npm ci --omit=dev: $(tail -5 "$TMP/npm.err")"
  cp -r dist config "$TMP/app/"
  [ ! -d "$TMP/app/node_modules/typescript" ] || fail "typescript (a dev dependency) is in the production install"
  (cd "$TMP/app" && NODE_ENV=production node dist/cli.js run --help >/dev/null) || fail "the CLI does not start with production dependencies only"
  # replay as the image's entrypoint runs it: the CLI itself, through its shebang (exec bit and heap flags).
  [ -x "$TMP/app/dist/cli.js" ] || fail "dist/cli.js is not executable (the image's ENTRYPOINT runs it directly)"
  alerts=$(cd "$TMP/app" && NODE_ENV=production ./dist/cli.js replay --no-progress --config "$ROOT/examples/rlug.yaml" "$ROOT/examples/rlug.mbox" 2>/dev/null | grep -c '\[ALERT' || true)
  [ "$alerts" -ge 1 ] || fail "replay with production dependencies only found no alert in examples/rlug.mbox"
  mkdir -p "$TMP/app/demo" && cp deploy/demo/feed-imap.mjs "$TMP/app/demo/"
  err=$(cd "$TMP/app" && node demo/feed-imap.mjs 2>&1 || true)
  case "$err" in *usage:*) ;; *) fail "the demo feeder does not load in the image layout: $err" ;; esac
  ok "runtime stage: npm ci --omit=dev, then listwarden run --help, replay ($alerts alerts on the sample) and the demo feeder work without dev dependencies"
fi

# --- the demo IMAP image's entrypoint, with Debian's Dovecot, in a private network and mount namespace -----------
if want demo-imap; then
  DOVECOT=$(command -v dovecot || echo /usr/sbin/dovecot)
  [ -x "$DOVECOT" ] || fail "dovecot is not installed: run bash .ci/dovecot.sh"
  need unshare
  [ "$(id -u)" = 0 ] || fail "the demo-imap check needs root (namespaces, Dovecot)"
  # Inside: loopback only, tmpfs over the image's paths, the entrypoint as the image runs it, then its health
  # check and the feeder over STARTTLS (143) and implicit TLS (993), as compose's feed service and poller do.
  cat >"$TMP/ns.sh" <<'NS'
set -euo pipefail
ip link set lo up
for d in /run /srv /usr/local/bin; do mount -t tmpfs tmpfs "$d"; done
mkdir -p /run/dovecot-demo /var/lib/dovecot-demo /srv/mail /run/etc-dovecot
mount -t tmpfs tmpfs /var/lib/dovecot-demo
chown dovecot:dovecot /srv/mail
cp deploy/demo/dovecot-entrypoint.sh /usr/local/bin/
mount --bind /run/etc-dovecot /etc/dovecot
cp deploy/demo/dovecot.conf.tmpl /etc/dovecot/demo.conf.tmpl
export LISTWARDEN_IMAP_PASS=demo-check-pass
setsid /usr/local/bin/dovecot-entrypoint.sh 2>"$LOG" &
pid=$!
trap 'kill -TERM -- -$pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/143) 2>/dev/null && break; sleep 0.1; done
bash -c 'exec 3<>/dev/tcp/127.0.0.1/143 && head -c 4 <&3 | grep -q OK' || { echo "health check failed"; exit 1; }
node deploy/demo/feed-imap.mjs --host 127.0.0.1 --port 143 --insecure --user listbot --pass-env LISTWARDEN_IMAP_PASS --if-empty examples/rlug.mbox | tail -1
node deploy/demo/feed-imap.mjs --host 127.0.0.1 --port 993 --secure --insecure --user listbot --pass-env LISTWARDEN_IMAP_PASS --if-empty examples/rlug.mbox | tail -1
NS
  out=$(LOG="$TMP/dovecot-demo.log" unshare --mount --net --fork bash "$TMP/ns.sh" 2>&1) || fail "demo IMAP: $out $(tail -5 "$TMP/dovecot-demo.log" 2>/dev/null)"
  case "$out" in
    *"18 message(s) appended"*"already holds 18"*) ;;
    *) fail "demo IMAP: unexpected feeder output: $out" ;;
  esac
  ok "demo IMAP entrypoint runs Dovecot $("$DOVECOT" --version | cut -d' ' -f1); health check passes; the feeder appends 18 posts over STARTTLS and finds them over TLS"
fi

# --- systemd unit ----------------------------------------------------------------------------------------
if want systemd; then
  need systemd-analyze
  cp deploy/listwarden@.service "$TMP/"
  out=$(cd "$TMP" && systemd-analyze verify ./listwarden@.service 2>&1) || fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify: $out"
  score=$(cd "$TMP" && systemd-analyze security --offline=yes --threshold=25 ./listwarden@.service 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p') \
    || fail "systemd-analyze security: exposure above 2.5 (threshold 25 in tenths)"
  ok "systemd-analyze verify deploy/listwarden@.service: clean; security exposure ${score:-?} (threshold 2.5)"
fi

# --- shell scripts ---------------------------------------------------------------------------------------
if want shell; then
  need shellcheck
  shellcheck -x --severity=warning scripts/local-stack.sh scripts/validate-compose.sh deploy/demo/dovecot-entrypoint.sh .ci/deploy.sh \
    || fail "shellcheck (above)"
  ok "shellcheck (warnings and errors): scripts/local-stack.sh, scripts/validate-compose.sh, deploy/demo/dovecot-entrypoint.sh, .ci/deploy.sh"
fi

echo "validate-compose: all checks passed"
