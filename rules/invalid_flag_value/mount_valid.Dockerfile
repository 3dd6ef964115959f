# test: rules=DW004
# Mount options BuildKit accepts, in every type.
FROM alpine:3.20 AS base
RUN --mount=type=cache,target=/var/cache/apk,sharing=locked,id=apk,mode=0755,uid=0,gid=0 \
    --mount=type=bind,from=base,source=/etc,target=/mnt/etc,rw \
    --mount=type=tmpfs,dst=/tmp,size=64m \
    --mount=type=secret,id=token,env=TOKEN,required=true,mode=0400 \
    --mount=type=secret,target=/run/secrets/key \
    --mount=type=ssh,id=default,required \
    --mount=TYPE=Cache,Target=/root/.cache,ro=false \
    --mount=target=/src,readonly \
    --mount=ro --mount=type=cache,id=go \
    --mount=type=cache,target=$HOME/.cache,sharing=$SHARING \
    --mount=type=$TYPE,target=/x,size=1g \
    true
