# test: rules=DW110
FROM golang:1.22 AS build
RUN go build -o /out/app ./cmd/app
COPY --from=build /out/app /usr/local/bin/app
# expect @-1:13 DW110 "COPY --from=build names stage 'build', the stage it is in"
FROM alpine:3.20 AS Final
COPY --from=1 /x /y
# expect @-1:13 DW110 "COPY --from=1 names stage 1, the stage it is in"
RUN --mount=type=bind,from=FINAL,target=/x true
# expect @-1:28 DW110 "RUN --mount from=FINAL names stage 'final', the stage it is in"
RUN --network=none \
    --mount=type=bind,target=/x,from=01 true
# expect @-1:38 DW110 "RUN --mount from=01 names stage 1, the stage it is in"
