# syntax=docker/dockerfile:1
# The demo's throwaway IMAP server: Debian's Dovecot with one user (listbot) whose password comes from the environment.
# Built by `docker compose --profile demo up`; never use it for real mail.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends dovecot-imapd openssl \
 && rm -rf /var/lib/apt/lists/*
COPY dovecot.conf.tmpl /etc/dovecot/demo.conf.tmpl
COPY dovecot-entrypoint.sh /usr/local/bin/dovecot-entrypoint.sh
RUN chmod 0755 /usr/local/bin/dovecot-entrypoint.sh \
 && mkdir -p /srv/mail /run/dovecot-demo /var/lib/dovecot-demo \
 && chown dovecot:dovecot /srv/mail
EXPOSE 143 993
VOLUME ["/srv/mail"]
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=10 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/143 && head -c 4 <&3 | grep -q OK"]
ENTRYPOINT ["/usr/local/bin/dovecot-entrypoint.sh"]
