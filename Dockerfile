# One image per service: docker build --build-arg SERVICE=gateway -t gateway .
# Only packages/ and the service's own folder are copied, so a change elsewhere does not rebuild it.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm AS deps
ARG SERVICE
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY packages/ packages/
COPY ${SERVICE}/package.json ${SERVICE}/
# `npm ci` refuses the current lockfile: it lacks entries for other platforms' optional binaries
# (e.g. @swc/core-darwin-arm64), which the registry it was written against does not serve.
# `npm install --no-save` then installs the same locked versions without rewriting the lockfile.
RUN npm ci --omit=dev --no-audit --no-fund || npm install --no-save --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules node_modules/
COPY --chown=node:node package.json ./
COPY --chown=node:node packages/ packages/
# The agent protocol, loaded at run time by agent-bridge (a few KiB).
COPY --chown=node:node proto/ proto/
COPY --chown=node:node ${SERVICE}/ ${SERVICE}/
USER node
# exec: tsx becomes PID 1 and passes SIGTERM on to the service for its graceful shutdown.
CMD ["sh", "-c", "exec node_modules/.bin/tsx \"$SERVICE/src/main.ts\""]
