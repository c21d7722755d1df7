#!/usr/bin/env bash
# The compose stack without Docker: Redis (AOF), Dovecot, an SMTP catcher and listwarden poller + workers as local processes.
#
# Feeds an archive (default examples/rlug.mbox) into the Dovecot mailbox, waits until the alerts reach the
# SMTP catcher, asks the daemon for a digest, prints what arrived, then stops everything and removes its files.
# Everything listens on 127.0.0.1, on free ports; nothing touches the machine's own Redis or mail servers.
#
# Usage: scripts/local-stack.sh [--config LIST.yaml] [--alerts N] [--workers N] [--timeout S] [--keep] [ARCHIVE.mbox]
#   --config F    the lists' config (default examples/rlug.yaml); imap, redis, smtp and notify are added to it
#   --alerts N    alerts to wait for before the digest (default 2: the sample archive's two attack posts)
#   --workers N   worker processes (default 2)
#   --timeout S   give up after S seconds in all (default 120); exit 1 then
#   --keep        leave the temp folder (logs, caught mail, Redis AOF) for a person to read
# Needs: root (Dovecot drops privileges to its own users), redis-server, dovecot, openssl, node, and a built
# dist/ (`npm run build`; built here when missing). Exit 0 when the alerts and the digest arrived.
set -euo pipefail
cd "$(dirname "$0")/.."

ALERTS=2
WORKERS=2
TIMEOUT=120
KEEP=0
ARCHIVE=examples/rlug.mbox
LIST_CONFIG=examples/rlug.yaml
while [ $# -gt 0 ]; do
  case "$1" in
    --config) LIST_CONFIG=$2; shift 2 ;;
    --alerts) ALERTS=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "local-stack: unknown option $1" >&2; exit 2 ;;
    *) ARCHIVE=$1; shift ;;
  esac
done

say() { printf 'local-stack: %s\n' "$*"; }
die() { printf 'local-stack: FAILED: %s\n' "$*" >&2; exit 1; }

DOVECOT_BIN=$(command -v dovecot || true)
[ -z "$DOVECOT_BIN" ] && [ -x /usr/sbin/dovecot ] && DOVECOT_BIN=/usr/sbin/dovecot
[ -n "$DOVECOT_BIN" ] || die "dovecot is not installed (apt-get install dovecot-imapd; see .ci/dovecot.sh)"
command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server)"
command -v openssl >/dev/null || die "openssl is not installed"
[ "$(id -u)" = 0 ] || die "run as root: Dovecot binds its listeners and drops to its own users"
[ -f "$ARCHIVE" ] || die "no archive at $ARCHIVE"
[ -f "$LIST_CONFIG" ] || die "no config at $LIST_CONFIG"
if [ ! -f dist/cli.js ]; then
  say "building dist/ (npm run build)"
  npm run --silent build
fi

START=$(date +%s)
DEADLINE=$((START + TIMEOUT))
left() { echo $((DEADLINE - $(date +%s))); }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lw-local-stack.XXXXXX")
chmod 711 "$TMP"
PIDS=()
DOVECOT_PID=""
REDIS_PORT=""

cleanup() {
  local rc=$?
  set +e
  # listwarden first (it finishes in-flight posts and notices), then the servers it talks to.
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  if [ -n "$DOVECOT_PID" ]; then
    # Dovecot runs in a process group of its own (setsid): its login and imap children go with it.
    kill -TERM -- "-$DOVECOT_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$DOVECOT_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$DOVECOT_PID" 2>/dev/null
  fi
  if [ -n "$REDIS_PORT" ]; then redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1; fi
  if [ "$KEEP" = 1 ]; then
    echo "local-stack: kept $TMP" >&2
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Free loopback ports, chosen by the kernel and released for the servers to take.
read -r REDIS_PORT IMAP_PORT IMAPS_PORT SMTP_PORT HTTP_PORTS_FREE < <(node -e '
  const net = require("node:net");
  const get = () => new Promise((r) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => r(p)); }); });
  (async () => { const ps = []; for (let i = 0; i < Number(process.argv[1]); i++) ps.push(await get()); console.log(ps.join(" ")); })();' $((5 + WORKERS)))
read -r -a FREE_HTTP <<<"$HTTP_PORTS_FREE"

# --- Redis: private, on its own port, append-only file in the temp folder --------------------------------
mkdir -p "$TMP/redis"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$TMP/redis" --appendonly yes --appendfsync everysec \
  --save '' --maxmemory-policy noeviction --daemonize no --logfile "$TMP/redis.log" &
PIDS+=($!)
for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null || die "redis did not start (see $TMP/redis.log)"

# --- Dovecot: the demo template, filled in for a temp folder and loopback ports ------------------------------
IMAP_USER=listbot
IMAP_PASS="pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$TMP/dovecot/run" "$TMP/dovecot/state" "$TMP/dovecot/mail"
chown dovecot:dovecot "$TMP/dovecot/mail"
chmod 711 "$TMP/dovecot"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -keyout "$TMP/dovecot/key.pem" -out "$TMP/dovecot/cert.pem" >/dev/null 2>&1
printf '%s:{PLAIN}%s::::::\n' "$IMAP_USER" "$IMAP_PASS" > "$TMP/dovecot/passwd"
sed -e "s|@BASE_DIR@|$TMP/dovecot/run|" -e "s|@STATE_DIR@|$TMP/dovecot/state|" -e "s|@INSTANCE@|lw-stack-$IMAPS_PORT|" \
  -e "s|@LOG@|$TMP/dovecot.log|" -e "s|@LISTEN@|127.0.0.1|" -e "s|@CERT@|$TMP/dovecot/cert.pem|" \
  -e "s|@KEY@|$TMP/dovecot/key.pem|" -e "s|@MAIL_UID@|$(id -u dovecot)|g" -e "s|@MAIL_GID@|$(id -g dovecot)|" \
  -e "s|@PASSWD@|$TMP/dovecot/passwd|" -e "s|@MAIL_HOME@|$TMP/dovecot/mail|" -e "s|@IMAP_PORT@|$IMAP_PORT|" \
  -e "s|@IMAPS_PORT@|$IMAPS_PORT|" deploy/demo/dovecot.conf.tmpl > "$TMP/dovecot/dovecot.conf"
setsid "$DOVECOT_BIN" -F -c "$TMP/dovecot/dovecot.conf" 2>"$TMP/dovecot.stderr" &
DOVECOT_PID=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$IMAPS_PORT") 2>/dev/null && break; sleep 0.1; done
(exec 3<>"/dev/tcp/127.0.0.1/$IMAPS_PORT") 2>/dev/null || die "dovecot did not listen (see $TMP/dovecot.stderr, $TMP/dovecot.log)"

# --- SMTP catcher ------------------------------------------------------------------------------------------
node deploy/demo/smtp-catcher.mjs --port "$SMTP_PORT" --dir "$TMP/caught" >"$TMP/caught.jsonl" 2>"$TMP/catcher.log" &
PIDS+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null && break; sleep 0.1; done

say "redis 127.0.0.1:$REDIS_PORT (AOF), dovecot 127.0.0.1:$IMAPS_PORT (imaps) and :$IMAP_PORT, smtp catcher 127.0.0.1:$SMTP_PORT"

# --- listwarden config: the sample list's config plus the daemon and notify sections ------------------------
CONFIG="$TMP/listwarden.yaml"
LW_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" LW_IMAPS_PORT="$IMAPS_PORT" LW_SMTP_PORT="$SMTP_PORT" \
node --input-type=module -e '
  import { readFileSync, writeFileSync } from "node:fs";
  import { parse, stringify } from "yaml";
  const [src, out] = process.argv.slice(1);
  const c = parse(readFileSync(src, "utf8"));
  const e = process.env;
  // Every list of the sample config reads the one demo mailbox.
  for (const l of c.lists) l.imap = { host: "127.0.0.1", port: Number(e.LW_IMAPS_PORT), tlsVerify: false, user: "listbot", passEnv: "LISTWARDEN_IMAP_PASS", checkSeconds: 5 };
  c.redis = { url: e.LW_REDIS_URL, prefix: "lwstack" };
  c.worker = { concurrency: 2 };
  c.http = { host: "127.0.0.1", port: 0 };
  c.smtp = { host: "127.0.0.1", port: Number(e.LW_SMTP_PORT), tlsVerify: false, from: "listwarden <listwarden@stack.example.org>" };
  c.moderators = [{ address: "mods@stack.example.org", name: "Demo Moderators" }];
  c.notify = { alertsPerHour: 50, archiveUrl: "https://lists.example.org/hyperkitty/list/{list}@lists.example.org/message/{hyperkittyHash}/" };
  writeFileSync(out, "# Written by scripts/local-stack.sh from " + src + "\n" + stringify(c));
' "$LIST_CONFIG" "$CONFIG"
node dist/cli.js check-config "$CONFIG" >/dev/null || die "the generated config does not load: node dist/cli.js check-config $CONFIG"

export LISTWARDEN_IMAP_PASS="$IMAP_PASS"
LISTWARDEN_NOTIFY_SECRET="stack-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export LISTWARDEN_NOTIFY_SECRET
export LISTWARDEN_LOG_LEVEL=info
HTTP_PORTS=()
start_listwarden() { # role, http port
  node dist/cli.js run --config "$CONFIG" --role "$1" --http-port "$2" >"$TMP/$1-$2.log" 2>&1 &
  PIDS+=($!)
  HTTP_PORTS+=("$2")
}
start_listwarden poller "${FREE_HTTP[0]}"
for i in $(seq 1 "$WORKERS"); do start_listwarden worker "${FREE_HTTP[$i]}"; done
unset LISTWARDEN_IMAP_PASS

healthy() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$1"; }
for p in "${HTTP_PORTS[@]}"; do
  until healthy "http://127.0.0.1:$p/healthz"; do
    [ "$(left)" -gt 0 ] || die "listwarden on :$p not healthy in time: $(tail -5 "$TMP"/*-"$p".log)"
    sleep 0.3
  done
done
say "listwarden: 1 poller and $WORKERS worker(s) healthy (/healthz on 127.0.0.1:${HTTP_PORTS[*]})"

# --- Feed the archive, as the list server would deliver it ------------------------------------------------
LISTWARDEN_DEMO_IMAP_PASS="$IMAP_PASS" node deploy/demo/feed-imap.mjs --host 127.0.0.1 --port "$IMAPS_PORT" \
  --secure --insecure --user "$IMAP_USER" "$ARCHIVE" >"$TMP/feed.log" 2>&1 || die "feeding failed: $(tail -3 "$TMP/feed.log")"
say "$(tail -1 "$TMP/feed.log" | sed 's/^feed-imap: //')"
FED=$(grep -c '^feed-imap: appended' "$TMP/feed.log")

count() { grep -c "$1" "$TMP/caught.jsonl" 2>/dev/null || true; }
until [ "$(count '"notice":"n-')" -ge "$ALERTS" ]; do
  [ "$(left)" -gt 0 ] || die "only $(count '"notice":"n-') of $ALERTS alert(s) arrived in ${TIMEOUT}s (logs in $TMP; --keep keeps them)"
  sleep 0.5
done
sleep 2 # alerts beyond the expected ones, if any, arrive too

# The digest goes through the running daemon: the CLI queues it, a worker renders and sends it.
LIST_ID=$(node -e 'console.log(require("yaml").parse(require("fs").readFileSync(process.argv[1], "utf8")).lists[0].id)' "$CONFIG")
node dist/cli.js digest --config "$CONFIG" --list "$LIST_ID" >/dev/null
until [ "$(count '"notice":""')" -ge 1 ]; do
  [ "$(left)" -gt 0 ] || die "the digest did not arrive in ${TIMEOUT}s"
  sleep 0.5
done

# --- What arrived ----------------------------------------------------------------------------------------
node --input-type=module -e '
  import { readFileSync } from "node:fs";
  import { simpleParser } from "mailparser";
  for (const line of readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean)) {
    const m = JSON.parse(line);
    const p = await simpleParser(readFileSync(m.file));
    const kind = m.notice ? "alert" : "digest";
    console.log(`${kind}: ${m.subject}`);
    console.log(`    to ${m.to.join(", ")}${m.tls ? " over STARTTLS" : ""}${m.notice ? ", notice " + m.notice : ""}`);
    // What a moderator reads first: who wrote the post and the words that were flagged.
    for (const l of (p.text ?? "").split("\n")) if (/^\s*(Author|Evidence):/.test(l)) console.log(`    ${l.trim()}`);
  }
' "$TMP/caught.jsonl"

METRICS=$(node -e 'fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t))' "http://127.0.0.1:${HTTP_PORTS[0]}/metrics")
say "poller metrics: $(printf '%s\n' "$METRICS" | grep -E '^listwarden_posts_seen_total' | tr '\n' ' ')"
verdicts() { cat "$TMP"/worker-*.log | grep '"msg":"verdict"' | grep -o '"messageId":"[^"]*"' || true; }
# Every post ends with a verdict or in the failed set (with its reason); none may be lost.
failed() { node dist/cli.js failed --config "$CONFIG" --json 2>/dev/null | grep -c '"jobId"' || true; }
until [ $(( $(verdicts | wc -l) + $(failed) )) -ge "$FED" ]; do
  [ "$(left)" -gt 0 ] || die "$(verdicts | wc -l) verdict(s) and $(failed) failed of $FED posts in ${TIMEOUT}s: some were lost"
  sleep 0.5
done
FAILED=$(failed)
say "verdicts: $(verdicts | wc -l) for $(verdicts | sort -u | wc -l) distinct post(s) of $FED fed, by $WORKERS worker(s); $FAILED in the failed set"
if [ "$FAILED" -gt 0 ]; then
  node dist/cli.js failed --config "$CONFIG" | sed 's/^/    /'
fi

ALERTS_GOT=$(count '"notice":"n-')
DIGESTS_GOT=$(count '"notice":""')

# --- Stop: listwarden exits 0 on SIGTERM; Redis writes its AOF on shutdown ----------------------------------
STOP_RC=0
for pid in "${PIDS[@]:2}"; do kill -TERM "$pid"; done
for pid in "${PIDS[@]:2}"; do wait "$pid" || STOP_RC=$?; done
PIDS=("${PIDS[@]:0:2}")
[ "$STOP_RC" = 0 ] || die "a listwarden process did not exit 0 on SIGTERM (exit $STOP_RC)"
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
REDIS_PORT=""
AOF_BYTES=$(du -sb "$TMP/redis/appendonlydir" 2>/dev/null | cut -f1)
say "stopped: listwarden exited 0 on SIGTERM; redis AOF ${AOF_BYTES:-0} bytes"
say "ok: $ALERTS_GOT alert(s) and $DIGESTS_GOT digest(s) in $(( $(date +%s) - START ))s"
