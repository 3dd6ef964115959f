# test: rules=DW015
ARG BASE=alpine TAG=3.20
FROM ${BASE}:${TAG:-latest}
ARG VERSION=1.0
ENV A=${VERSION:-x} B=${VERSION-x} C=${VERSION:+y} D=${VERSION+y} E=${VERSION#1.} F=${VERSION%%.*}
ENV G=${VERSION/./_} H=${VERSION//./-} I='${not:=expanded}' J=\${escaped:=too}
LABEL "key.${VERSION}"="${VERSION:?is required}"
RUN echo ${SHELL_ONLY:=the shell expands this} && echo ${#VERSION}
CMD echo ${X^^}
COPY <<'EOF' /etc/script.sh
echo ${QUOTED_DELIMITER:=kept as text}
EOF
COPY --from=build /a /b
EXPOSE 80/tcp ${PORT:-8080}
