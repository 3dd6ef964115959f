# test: rules=DW322 fix=safe
FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
# fixed: RUN npm ci --omit=dev && npm cache clean --force
# expect @-2:9 DW322 "'npm ci' leaves its download cache (~/.npm/_cacache) in the layer: end the RUN with 'npm cache clean --force'"
RUN npm install -g pm2@5.4.2 \
 && pm2 --version
# fixed:  && pm2 --version && npm cache clean --force
# expect @-3:9 DW322 "'npm install' leaves its download cache"
RUN npm cache clean --force && npm i
# fixed: RUN npm cache clean --force && npm i && npm cache clean --force
# expect @-2:36 DW322 "'npm i'"
RUN npm clean-install && rm -rf /tmp/*
# fixed: RUN npm clean-install && rm -rf /tmp/* && npm cache clean --force
# expect @-2:9 DW322 "'npm clean-install'"
RUN npm ci --cache /tmp/npm-cache
# fixed: RUN npm ci --cache /tmp/npm-cache && npm cache clean --force --cache /tmp/npm-cache
# expect @-2:9 DW322 "'npm ci' leaves its download cache (/tmp/npm-cache) in the layer"
RUN --mount=type=cache,target=/root/.cache/pip npm ci
# fixed: RUN --mount=type=cache,target=/root/.cache/pip npm ci && npm cache clean --force
# expect @-2:52 DW322 "'npm ci'"
ONBUILD RUN npm install
# fixed: ONBUILD RUN npm install && npm cache clean --force
# expect @-2:17 DW322 "'npm install'"
RUN <<EOF
set -e
npm ci
EOF
# fixed: npm cache clean --force
# fixed: EOF
# expect @-4:5 DW322 "'npm ci'"
RUN ["npm", "ci"]
# expect @-1:13 DW322 "'npm ci'"
RUN sudo -u node npm install -g pm2@5.4.2
# expect @-1:22 DW322 "'npm install'"
