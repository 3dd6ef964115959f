# test: rules=DW323
FROM node:22-slim AS build
RUN yarn install && yarn build

FROM node:22-slim
ENV YARN_CACHE_FOLDER=/cache/yarn
COPY --from=build /app/dist /app
RUN yarn install --frozen-lockfile && yarn cache clean
RUN yarn install && yarn cache clean --all && yarn build
RUN yarn && rm -rf /usr/local/share/.cache/yarn
RUN yarn install && rm -rf ~/.cache/yarn/*
RUN yarn install && rm -rf /usr/local/share/.cache
RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install
RUN --mount=type=cache,target=/home/node/.cache/yarn,uid=1000 yarn install
RUN --mount=type=cache,target=/root/.yarn/berry/cache yarn install --immutable
RUN --mount=type=cache,target=/cache yarn install
RUN --mount=type=cache,target=/tmp/y yarn install --cache-folder /tmp/y/c
RUN yarn add express@4.19.2 && yarn build && yarn run test && yarn global add pm2
RUN yarn --version && yarn -v && yarn --help && yarn -h
# hadolint ignore=DL3060
RUN yarn install
