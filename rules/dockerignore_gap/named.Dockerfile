# test: rules=DW501 fix=safe
# No pattern hides a path the Dockerfile names: dist/ and .env.production
# are copied on purpose, so only the ignore file's own pattern is added.
FROM node:20
COPY dist/bundle.js /srv/
COPY .env.production /srv/.env
COPY . /srv
# expect @-1:6 DW501 "COPY '.' sends 3 paths"
