# test: rules=DW115
FROM alpine:3.20 AS base
CMD ["--port", "8080"]
ENTRYPOINT /usr/bin/app
# expect @-1:1 DW115 "this shell-form ENTRYPOINT ignores the CMD on line 3: '/bin/sh -c' never passes CMD"

FROM base AS child
RUN echo inherits both, reported once in base

FROM base AS override
CMD serve --verbose
# expect @-1:1 DW115 "this CMD has no effect: the shell-form ENTRYPOINT on line 4 never passes it"

FROM alpine:3.20
ENTRYPOINT exec app "$@"
CMD ["serve"]
# expect @-2:1 DW115 "ignores the CMD on line 16"
