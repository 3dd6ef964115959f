# test: rules=DW323
FROM node:22-slim
COPY . .
RUN yarn install
