# test: rules=DW322
FROM node:22-slim AS build
WORKDIR /app
RUN npm ci && npm run build

FROM node:22-slim
ENV npm_config_cache=/cache/npm
COPY --from=build /app/dist /app
RUN npm ci && npm cache clean --force
RUN npm install -g pm2@5.4.2 && npm cache clean --force && pm2 --version
RUN npm ci && npm cache clear --force
RUN npm ci && rm -rf ~/.npm
RUN npm ci && rm -rf /root/.npm/_cacache
RUN npm ci && rm -rf "$HOME/.npm"
RUN npm ci --cache /tmp/c && rm -rf /tmp/c
RUN --mount=type=cache,target=/root/.npm npm ci
RUN --mount=type=cache,target=/home/node/.npm/ npm ci
RUN --mount=type=cache,target=/root/.npm/_cacache npm install
RUN --mount=type=cache,target=/tmp/npm npm ci --cache /tmp/npm/x
RUN --mount=type=tmpfs,target=/cache npm ci
RUN npm_config_cache=/tmp/npm rm -rf x && npm run build
RUN npm run build && npm test && npm uninstall lodash && npm cache verify
RUN npm ci && rm -rf "$(npm config get cache)"
