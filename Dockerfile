# One image per service: docker build --build-arg SERVICE=gateway -t gateway .
# The image runs compiled JavaScript with node (scripts/build.mjs: esbuild bundles the service with
# packages/*), as a non-root user, on a read-only root filesystem in Kubernetes.
ARG NODE_VERSION=20

# 1. Compile: the service's bundle (and, for the gateway, the web console's static build).
FROM node:${NODE_VERSION}-bookworm AS build
ARG SERVICE
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.base.json ./
COPY packages/ packages/
COPY web/package.json web/
COPY ${SERVICE}/package.json ${SERVICE}/
RUN npm ci --no-audit --no-fund
COPY proto/ proto/
COPY scripts/build.mjs scripts/
COPY web/ web/
COPY ${SERVICE}/ ${SERVICE}/
RUN node scripts/build.mjs ${SERVICE} \
 && if [ "${SERVICE}" = gateway ]; then npm run build --workspace web; else mkdir -p web/dist; fi

# 2. Production dependencies: what stays outside the bundle (argon2 and sharp are native addons,
# swagger-ui-dist is served from disk) is loaded from here.
FROM node:${NODE_VERSION}-bookworm AS deps
ARG SERVICE
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY packages/ packages/
COPY ${SERVICE}/package.json ${SERVICE}/
RUN npm ci --omit=dev --no-audit --no-fund

# 3. Run.
FROM node:${NODE_VERSION}-bookworm-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules node_modules/
COPY --from=build --chown=node:node /app/${SERVICE}/dist ${SERVICE}/dist/
# The console (gateway only; an empty folder for the others). gateway/dist/../../web/dist.
COPY --from=build --chown=node:node /app/web/dist web/dist/
USER node
# The bundle runs itself: its first line holds node's flags (scripts/build.mjs, LAUNCH_LINE). exec, and
# env execs node: node is PID 1 and gets SIGTERM itself for the graceful shutdown. Stack traces name
# the bundle's lines; main.js.map beside it maps them back (node --enable-source-maps would hold the
# parsed map in every process: about 7 MB).
CMD ["sh", "-c", "exec \"$SERVICE/dist/main.js\""]
