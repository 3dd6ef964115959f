# test: rules=DW323 fix=safe
FROM node:22-slim
COPY . .
RUN yarn install --immutable
# expect @-1:10 DW323 "'yarn install' leaves the Yarn cache"
