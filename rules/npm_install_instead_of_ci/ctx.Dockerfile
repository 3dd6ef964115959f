# test: rules=DW321 fix=unsafe
FROM node:22-slim
WORKDIR /app
COPY . .
RUN npm install
# fixed: RUN npm ci
# expect @-2:9 DW321 "the COPY on line 4 copied a lockfile"

FROM node:22-slim
COPY ./web/ /srv/
RUN npm install
# fixed: RUN npm ci
# expect @-2:9 DW321 "the COPY on line 10"

FROM node:22-slim
COPY * /srv/
RUN npm install
# fixed: RUN npm ci
# expect @-2:9 DW321 "the COPY on line 16"
