# test: rules=DW124
FROM golang:1.22 AS build
RUN go build -o /app .

FROM gcr.io/distroless/base AS runtime
# expect @-1:1 DW124 "the target stage 'runtime' has no HEALTHCHECK"
COPY --from=build /app /app
ONBUILD HEALTHCHECK CMD true
