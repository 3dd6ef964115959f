# test: rules=DW320
FROM node:22-slim
ARG PM2_VERSION=5.4.2
RUN npm install
RUN npm ci
RUN npm install --omit=dev --loglevel warn
RUN npm install -g
RUN npm install -g pm2@5.4.2 @types/node@20.11.0 express@^4.19.2 lodash@4.x react@~18.2 vue@">=3.4 <4"
RUN npm install -g pm2@$PM2_VERSION "typescript@${TS_VERSION}" $EXTRA_PACKAGES
RUN npm install ./local-pkg ../shared /opt/pkg ~/pkg . file:../lib pkg-1.0.0.tgz vendor/x.tar.gz
RUN npm install https://example.com/pkg-1.2.3.tgz
RUN npm install expressjs/express#4.19.2 git+https://github.com/npm/cli.git#v10.8.0 github:user/repo#semver:^1.0
RUN npm install my-react@npm:react@18.2.0 lib@file:../lib
RUN npm uninstall express && npm update && npm run build && npm audit fix
RUN npm cache clean --force && npm view express version
RUN yarn add express
RUN npm install-test
# hadolint ignore=DL3016
RUN npm install -g left-pad
