# test: rules=DW323 fix=safe
FROM node:22-slim
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile --production
# fixed: RUN yarn install --frozen-lockfile --production && yarn cache clean
# expect @-2:10 DW323 "'yarn install' leaves the Yarn cache"
RUN if [ -f yarn.lock ]; then yarn install; else npm ci; fi
# expect @-1:36 DW323 "'yarn install'"
