# test: rules=DW005 fix=unsafe
FROM alpine:3.20
CMD ["echo", null]
# expect @-1:14 DW005 "strings only: null in the exec form of CMD"
SHELL ["/bin/sh", ["-c"]]
# expect @-1:19 DW005 "a nested array '["-c"]'"
VOLUME ["/data", {"a": 1}, 2]
# expect @-1:18 DW005 "an object '{"a": 1}' in the exec form of VOLUME (and 1 more)"
