# test: rules=DW110
# Earlier and later stages, images and triggers are not the current stage.
FROM golang:1.22 AS build
COPY --from=golang:1.22 /usr/local/go /go
FROM alpine:3.20 AS final
COPY --from=build /out/app /app
COPY --from=0 /out/app /app
COPY --from=2 /x /y
ONBUILD COPY --from=final /x /y
FROM final AS last
COPY --from=final /x /y
