# test: rules=DW321 fix=unsafe
FROM node:22-slim AS base
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install
# fixed: RUN npm ci
# expect @-2:9 DW321 "'npm install' resolves package.json again although the COPY on line 4 copied a lockfile: use 'npm ci'"
RUN npm i --omit=dev && npm run build
# fixed: RUN npm ci --omit=dev && npm run build
# expect @-2:9 DW321 "'npm i' resolves package.json again although the COPY on line 4"

FROM base AS test
RUN npm install
# fixed: RUN npm ci
# expect @-2:9 DW321 "the COPY on line 4 copied a lockfile"

FROM node:22-slim AS web
COPY web/package*.json ./
RUN cd /srv \
 && npm --loglevel=warn install --no-audit
# fixed:  && npm --loglevel=warn ci --no-audit
# expect @-2:25 DW321 "the COPY on line 18"
RUN ["npm", "install"]
# expect @-1:13 DW321 "'npm install'"

FROM node:22-slim AS shrink
ADD ["npm-shrinkwrap.json", "package.json", "/app/"]
RUN npm isntall
# fixed: RUN npm ci
# expect @-2:9 DW321 "the ADD on line 27 copied a lockfile"

FROM node:22-slim AS tools
ONBUILD COPY package.json package-lock.json ./
ONBUILD RUN npm install
# fixed: ONBUILD RUN npm ci
# expect @-2:17 DW321 "the COPY on line 33"
