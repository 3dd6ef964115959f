# test: rules=DW404
# One finding per key: the stage's ARG only brings the global one into scope.
ARG NPM_TOKEN
# expect @-1:5 DW404 "ARG 'NPM_TOKEN' names a secret (provider credential name)"
FROM node:20
ARG NPM_TOKEN
RUN npm ci
