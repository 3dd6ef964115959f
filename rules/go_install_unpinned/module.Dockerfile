# test: rules=DW326
# Inside a main module `go install pkg` and `go run pkg` build the version
# go.mod requires; `go get pkg` still resolves the latest release.
FROM golang:1.22 AS tools
WORKDIR /src
COPY go.mod go.sum ./
RUN go install github.com/golang/protobuf/protoc-gen-go && go run github.com/a/gen
RUN go get github.com/a/b
# expect @-1:12 DW326 "'go get' fetches 'github.com/a/b' without a version"
RUN go install github.com/a/c@latest
# expect @-1:16 DW326 "fetches 'github.com/a/c@latest' at the moving version 'latest'"

FROM golang:1.22 AS mounted
RUN --mount=type=bind,source=go.mod,target=/app/go.mod \
    cd /app && go install google.golang.org/grpc/cmd/protoc-gen-go-grpc
RUN --mount=type=bind,target=. go install github.com/a/d

FROM tools AS inherits
RUN go install github.com/a/e

FROM golang:1.22 AS whole
COPY . /src
RUN cd /src && go install github.com/a/f

FROM golang:1.22 AS nomodule
COPY main.go /src/
RUN go install github.com/a/g
# expect @-1:16 DW326 "'go install' fetches 'github.com/a/g' without a version"
RUN --mount=type=cache,target=/go/pkg/mod go install github.com/a/h
# expect @-1:54 DW326 "'go install' fetches 'github.com/a/h' without a version"
