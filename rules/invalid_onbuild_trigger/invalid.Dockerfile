# test: rules=DW014
FROM node:20
ONBUILD ONBUILD RUN npm ci
# expect @-1:9 DW014 "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"
ONBUILD FROM node:20-slim
# expect @-1:9 DW014 "FROM isn't allowed as an ONBUILD trigger"
onbuild maintainer someone
# expect @-1:9 DW014 "MAINTAINER isn't allowed as an ONBUILD trigger"
