# test: rules=DW015
ARG TAG=${DEFAULT_TAG:=3.20}
# expect @-1:22 DW015 "unsupported modifier (:=) in substitution: BuildKit cannot expand '${DEFAULT_TAG:=3.20}' in the default of TAG"
FROM alpine:${TAG^^}
# expect @-1:18 DW015 "unsupported modifier (^) in substitution: BuildKit cannot expand 'alpine:${TAG^^}' in the image of FROM"
ARG VERSION
ENV APP_VERSION=${VERSION:=1.0} B=${}
# expect @-1:26 DW015 "unsupported modifier (:=)"
# expect @-2:35 DW015 "syntax error: bad substitution"
LABEL version=${VERSION=1} ${:x}=y
# expect @-1:24 DW015 "unsupported modifier (=) in substitution"
# expect @-2:28 DW015 "bad substitution: BuildKit cannot expand '${:x}' in a LABEL name"
WORKDIR /srv/${VERSION:1}
# expect @-1:23 DW015 "unsupported modifier (:1)"
COPY --chown=${USER:=app} src/${VERSION/x} /app/
# expect @-1:20 DW015 "in --chown"
# expect @-2:31 DW015 "missing '/' in ${}"
RUN --mount=type=cache,target=${CACHE:=/root/.cache} echo ${RUN:=is the shell's}
# expect @-1:38 DW015 "in the --mount option target"
EXPOSE ${PORT:=80}
# expect @-1:14 DW015 "in this EXPOSE"
COPY <<EOF /etc/app.conf
version=${VERSION:=dev}
EOF
# expect @-2:18 DW015 "in the heredoc EOF (quote its delimiter to keep it as text)"
ONBUILD WORKDIR ${DIR:=/x}
# expect @-1:22 DW015 "in this WORKDIR"
