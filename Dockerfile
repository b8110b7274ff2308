# dm-bridge container image. Build: docker build -t dm-bridge .   (buildah bud works the same)
# Runs `dm-bridge start` as user `node`; state in the /data volume; config from $DM_BRIDGE_CONFIG
# (default /etc/dm-bridge/config.json = config/container.json: store in /data, API on 0.0.0.0:7800).
# Mount your own config over /etc/dm-bridge/config.json or point DM_BRIDGE_CONFIG elsewhere; set
# api.token when the API port is published beyond the host.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
# Networks that intercept TLS: pass the CA bundle (see TESTING.md).
ARG NODE_EXTRA_CA_CERTS=
ENV NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS}
# better-sqlite3 builds from source when no prebuilt binary can be fetched: toolchain + local headers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DM_BRIDGE_CONFIG=/etc/dm-bridge/config.json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY bridge ./bridge
COPY adapters ./adapters
COPY config ./config
COPY config/container.json /etc/dm-bridge/config.json
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 7800
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:7800/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and is the bridge itself: SIGTERM reaches it and it stops cleanly.
ENTRYPOINT ["node", "--max-semi-space-size=1", "bin/dm-bridge.js"]
CMD ["start"]
