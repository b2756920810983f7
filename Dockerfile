# syntax=docker/dockerfile:1
# Node 26 is the active LTS line (since 2026-10-28); trixie (Debian 13) is its default base.
ARG NODE_IMAGE=node:26-trixie-slim

# Build stage: compile better-sqlite3 and the TypeScript sources.
FROM ${NODE_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY prompts ./prompts
# The build puts the prompts beside the compiled code (dist/prompts), where the bot reads them.
RUN npm run build && npm prune --omit=dev

# Runtime stage: only the compiled code, production modules and prompts; runs as the unprivileged `node` user (uid 1000).
FROM ${NODE_IMAGE}
ENV NODE_ENV=production DATABASE_PATH=/data/persona-bot.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./

RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# Healthy while the bot runs here: its database opens and the heartbeat it writes every
# HEARTBEAT_INTERVAL_MS (30 s) is fresh. Local and cheap: no model call, nothing written.
HEALTHCHECK --interval=60s --timeout=10s --start-period=2m --retries=3 CMD ["node", "dist/src/cli.js", "health"]
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["start"]
