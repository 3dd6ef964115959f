# test: rules=DW404
# Names with an allow word, fingerprints, and plain names.
FROM debian:12
ARG TOKEN_FILE=/run/secrets/token
ARG PUBLIC_KEY
ENV KEY_VERSION=3 GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D
ENV GPG_KEY 0x4E8E2B6F1B9B0C7D
ENV NODE_ENV=production HOME=/root
ARG SECRET_NAME=db
RUN true
