#!/usr/bin/env bash
# CI: install Dovecot (Debian's dovecot-imapd) for the IMAP integration tests; the tests start it themselves.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends dovecot-imapd openssl >/dev/null
fi
# The package starts a system-wide Dovecot where it can; the tests run their own on loopback ports.
if command -v doveadm >/dev/null 2>&1 && pgrep -x dovecot >/dev/null 2>&1; then
  dovecot stop >/dev/null 2>&1 || true
fi
/usr/sbin/dovecot --version
