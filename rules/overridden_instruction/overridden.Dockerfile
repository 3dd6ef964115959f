# test: rules=DW114 fix=safe
FROM alpine:3.20 AS base
CMD ["echo", "one"]
# fixed: <deleted>
# expect @-2:1 DW114 "CMD is overridden by the CMD on line 12: only the last CMD of a stage takes effect"
ENTRYPOINT ["/bin/sh"]
# fixed: <deleted>
# expect @-2:1 DW114 "ENTRYPOINT is overridden by the ENTRYPOINT on line 16"
  cmd echo two
# fixed: <deleted>
# expect @-2:3 DW114 "CMD is overridden by the CMD on line 12"
CMD ["echo", "three"]
HEALTHCHECK --interval=5s CMD true
# fixed: <deleted>
# expect @-2:1 DW114 "HEALTHCHECK is overridden by the HEALTHCHECK on line 20"
entrypoint ["/bin/ash"]
HEALTHCHECK NONE
# fixed: <deleted>
# expect @-2:1 DW114 "HEALTHCHECK is overridden by the HEALTHCHECK on line 20"
HEALTHCHECK CMD wget -q -O- http://localhost/

FROM base
CMD ["a"]
# fixed: <deleted>
# expect @-2:1 DW114 "CMD is overridden by the CMD on line 26"
CMD ["b"]
