# Bifrost-TS container image. Two stages: the first installs every dependency from the lockfile
# (compiling better-sqlite3's native addon if no prebuilt binary can be fetched) and builds dist/;
# the second carries only dist/ and the production dependencies, and runs as the non-root `node`
# user (uid 1000, the Helm chart's runAsUser/fsGroup).
#
# Signals: node runs as PID 1 with no init. The CLI handles SIGTERM and SIGINT itself (stop
# accepting, drain in-flight requests and streams up to 30 s, flush governance usage and request
# logs, exit 0; a second signal exits at once), and the gateway starts no long-lived child
# processes, so there are no orphans to reap — tini would add a package and nothing else.
# `docker run --init` adds one anyway if a deployment needs it.
ARG NODE_VERSION=20-bookworm

FROM node:${NODE_VERSION} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run --silent build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-slim
ENV NODE_ENV=production \
    APP_DIR=/app/data \
    APP_HOST=0.0.0.0 \
    APP_PORT=8080
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY examples ./examples
# The app dir holds config.json (a ConfigMap in Kubernetes), config.db and logs.db; owner-only.
RUN mkdir -p /app/data && chown node:node /app/data && chmod 0700 /app/data
USER node
VOLUME ["/app/data"]
# HTTP, and memberlist gossip (TCP and UDP) for cluster mode.
EXPOSE 8080 7946/tcp 7946/udp
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.APP_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
