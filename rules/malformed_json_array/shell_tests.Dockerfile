# test: rules=DW006
# Shell tests and valid arrays: nothing to report.
FROM alpine:3.20
RUN [ -f /etc/os-release ] && cat /etc/os-release
RUN [ "$(uname -m)" = "x86_64" ] && echo amd64
RUN [ "$TARGETARCH" != arm64 ] || echo arm
RUN [[ -n "$HOME" ]] && echo home
CMD ["echo", "valid"]
CMD ["echo", 1]
ENTRYPOINT []
COPY ["a b.txt", "/dst/"]
RUN ["sh", \
     "-c", \
# a comment line inside the array
     "echo continued"]
RUN [ "a" ]
LABEL x=['a']
