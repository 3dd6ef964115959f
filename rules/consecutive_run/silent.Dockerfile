# test: rules=DW203
FROM golang:1.23 AS build
RUN go mod download
RUN go build ./...

FROM alpine:3.20
RUN apk add --no-cache curl
ENV A=1
RUN echo "$A"
RUN --mount=type=cache,target=/root/.cache echo a
RUN echo a && echo b && echo c
RUN echo one
RUN ["echo", "exec"]
RUN echo two
RUN <<EOT
echo heredoc
EOT
RUN echo three
