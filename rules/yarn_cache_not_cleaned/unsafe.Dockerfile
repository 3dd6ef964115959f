# test: rules=DW323 fix=unsafe
FROM node:22-slim
WORKDIR /app
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile
# fixed: RUN yarn install --frozen-lockfile && yarn cache clean
# expect @-2:10 DW323 "'yarn install' leaves the Yarn cache in the layer: end the RUN with 'yarn cache clean'"
RUN yarn --production && yarn build
# fixed: RUN yarn --production && yarn build && yarn cache clean
# expect @-2:5 DW323 "'yarn' leaves the Yarn cache in the layer"
RUN yarn cache clean && yarn
# fixed: RUN yarn cache clean && yarn && yarn cache clean
# expect @-2:25 DW323 "'yarn'"
RUN yarn install --cache-folder /tmp/yc
# fixed: RUN yarn install --cache-folder /tmp/yc && yarn cache clean --cache-folder /tmp/yc
# expect @-2:10 DW323 "'yarn install' leaves the Yarn cache (/tmp/yc) in the layer"
RUN --mount=type=cache,target=/root/.npm yarn install
# fixed: RUN --mount=type=cache,target=/root/.npm yarn install && yarn cache clean
# expect @-2:47 DW323 "'yarn install'"
ONBUILD RUN yarn install
# fixed: ONBUILD RUN yarn install && yarn cache clean
# expect @-2:18 DW323 "'yarn install'"
RUN ["yarn", "install"]
# expect @-1:14 DW323 "'yarn install'"
RUN yarn install && yarn --version
# fixed: RUN yarn install && yarn --version && yarn cache clean
# expect @-2:10 DW323 "'yarn install'"
