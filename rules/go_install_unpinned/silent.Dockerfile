# test: rules=DW326
FROM golang:1.22
ARG GOPLS_VERSION=v0.16.1
RUN go install golang.org/x/tools/gopls@v0.16.1 && go install github.com/a/b@4f3c2d1
RUN go install golang.org/x/tools/gopls@${GOPLS_VERSION} && go get "github.com/a/c@$REF"
# local packages, .go files, standard-library packages
RUN go install . && go install ./... && go install ./cmd/server ../tools/x /src/app
RUN go run . && go run ./cmd/gen && go run main.go util.go && go run gen.go github.com/arg/only
RUN go install cmd/vet std && go get && go get -u ./...
# flags that take a value are not packages
RUN go install -o /out/bin -pkgdir /tmp/pkg -tags "netgo osusergo" ./cmd/app
RUN go run -exec wrapper.example.com ./cmd/x
# other go commands
RUN go mod download github.com/a/b && go build github.com/a/b && go list -m github.com/a/b
RUN go install "github.com/org/${TOOL}@${TOOL_VERSION}" && go install "${MODULE}@latest"
