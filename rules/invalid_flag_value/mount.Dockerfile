# test: rules=DW004
FROM alpine:3.20
RUN --mount=type=volume,target=/x true
# expect @-1:18 DW004 "unsupported mount type "volume""
RUN --mount=type=cache,target=/x,sharing=exclusive true
# expect @-1:42 DW004 "unsupported sharing value "exclusive""
RUN --mount=type=cache,destination=/x,colour=blue true
# expect @-1:39 DW004 "unexpected key 'colour' in 'colour=blue'"
RUN --mount=target=/ true
# expect @-1:20 DW004 "invalid mount target "/""
RUN --mount=type=bind,target=/src,mode=0755 true
# expect @-1:35 DW004 "mode not allowed for "bind" type mounts"
RUN --mount=type=tmpfs,target=/tmp,sharing=locked true
# expect @-1:36 DW004 "invalid cache sharing set for tmpfs mount"
RUN --mount=required,type=secret,id=tok true
# expect @-1:13 DW004 "unexpected key 'required' for mount type 'bind'"
RUN --mount=type=secret,id=tok,from=base true
# expect @-1:32 DW004 "secret mount should not have a from"
RUN --mount=type=secret,required true
# expect @-1:5 DW004 "one of source, target required"
RUN --mount=type=secret,source=a,id=b true
# expect @-1:34 DW004 "both source and id can't be set"
RUN --mount=type=ssh,source=key true
# expect @-1:22 DW004 "an ssh mount takes no source"
RUN --mount=type=cache,target=/x,size=64m true
# expect @-1:34 DW004 "unexpected key 'size' for mount type 'cache'"
RUN --mount=type=tmpfs,target=/x,size=lots true
# expect @-1:39 DW004 "invalid size 'lots'"
RUN --mount=type=cache,target=/x,uid=me,mode=0999 true
# expect @-1:38 DW004 "invalid value me for uid"
# expect @-2:46 DW004 "invalid value 0999 for mode"
RUN --mount=type=bind,target=/x,readonly=sure,cached true
# expect @-1:42 DW004 "invalid value 'sure' for readonly"
# expect @-2:47 DW004 "invalid field 'cached' must be a key=value pair"
RUN --mount=type=bind,from=$BASE,target=/x true
# expect @-1:28 DW004 "'from' doesn't support variable expansion"
