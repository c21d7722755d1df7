# syntax=docker/dockerfile:1
# listwarden's image: compiled with dev dependencies, run with production ones only, as the unprivileged `node` user.
#   docker build -t listwarden:local .
#   docker run --rm listwarden:local replay --help
ARG NODE_VERSION=20

# --- build: TypeScript → dist/ ----------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are copied; the RUN below does it.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- deps: production dependencies only -------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# --- runtime ----------------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    LISTWARDEN_HTTP_PORT=9464
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
# Files stay root-owned and read-only to the process; state lives in Redis, config comes in as a read-only mount.
USER node
EXPOSE 9464
# /healthz is 200 when Redis (and, for a poller, every IMAP mailbox) is up. `run` must serve it on
# LISTWARDEN_HTTP_PORT (compose passes --http-port, and http.host 0.0.0.0 only if Prometheus scrapes from outside).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.LISTWARDEN_HTTP_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The CLI through its own shebang, so `docker run … replay` runs under the bin's heap flags (a 1 GB archive stays
# under 256 MB RSS); compose's poller and worker override this with plain `node`, Node's defaults, as the systemd unit.
ENTRYPOINT ["/app/dist/cli.js"]
CMD ["--help"]
