# test: rules=DW323 fix=safe
FROM node:22-slim
RUN yarn install
# expect @-1:10 DW323 "'yarn install' leaves the Yarn cache"
