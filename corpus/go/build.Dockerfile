# test: rules=DW201 fix=safe
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/api ./cmd/api
# expect @-1:19 DW201 "'go build' (go) runs after the COPY on line 4"

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/api /api
ENTRYPOINT ["/api"]
