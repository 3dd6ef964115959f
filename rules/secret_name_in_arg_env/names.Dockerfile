# test: rules=DW404
FROM node:20
ARG NPM_TOKEN
# expect @-1:5 DW404 "ARG 'NPM_TOKEN' names a secret"
ENV DB_PASSWORD=${DB_PASS}
# expect @-1:5 DW404 "ENV 'DB_PASSWORD' names a secret"
ENV A=1 dbSecret="$S"
# expect @-1:9 DW404 "ENV 'dbSecret'"
ARG GITHUB_TOKEN=
# expect @-1:5 DW404 "history of every later RUN"
ONBUILD ARG API_KEY
# expect @-1:13 DW404 "ARG 'API_KEY'"
RUN npm ci
