#!/usr/bin/env bash
# Starts the demo Dovecot: fills in the config template, a self-signed certificate and the one user, then runs in the foreground.
set -euo pipefail
: "${DEMO_IMAP_USER:=listbot}"
# Compose hands in the env file of listwarden, so the demo user gets the password listwarden will use.
DEMO_IMAP_PASS="${DEMO_IMAP_PASS:-${LISTWARDEN_IMAP_PASS:-}}"
if [ -z "${DEMO_IMAP_PASS:-}" ]; then
  echo "dovecot-demo: set DEMO_IMAP_PASS (compose takes it from the env file's LISTWARDEN_IMAP_PASS)" >&2
  exit 1
fi
conf=/run/dovecot-demo/dovecot.conf
if [ ! -f /run/dovecot-demo/cert.pem ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 -subj /CN=imap \
    -keyout /run/dovecot-demo/key.pem -out /run/dovecot-demo/cert.pem >/dev/null 2>&1
fi
printf '%s:{PLAIN}%s::::::\n' "$DEMO_IMAP_USER" "$DEMO_IMAP_PASS" > /run/dovecot-demo/passwd
chown root:dovecot /run/dovecot-demo/passwd
chmod 0640 /run/dovecot-demo/passwd
sed -e "s|@BASE_DIR@|/run/dovecot-demo/run|" -e "s|@STATE_DIR@|/var/lib/dovecot-demo|" -e "s|@INSTANCE@|dovecot-demo|" \
  -e "s|@LOG@|/dev/stderr|" -e "s|@LISTEN@|*|" -e "s|@CERT@|/run/dovecot-demo/cert.pem|" \
  -e "s|@KEY@|/run/dovecot-demo/key.pem|" -e "s|@MAIL_UID@|$(id -u dovecot)|g" -e "s|@MAIL_GID@|$(id -g dovecot)|" \
  -e "s|@PASSWD@|/run/dovecot-demo/passwd|" -e "s|@MAIL_HOME@|/srv/mail|" -e "s|@IMAP_PORT@|143|" \
  -e "s|@IMAPS_PORT@|993|" /etc/dovecot/demo.conf.tmpl > "$conf"
mkdir -p /run/dovecot-demo/run
exec dovecot -F -c "$conf"
