# test: rules=DW326
FROM golang:1.22 AS tools
RUN go install golang.org/x/tools/gopls@latest
# expect @-1:16 DW326 "'go install' fetches 'golang.org/x/tools/gopls@latest' at the moving version 'latest'"
RUN go install -ldflags "-s -w" github.com/go-delve/delve/cmd/dlv
# expect @-1:33 DW326 "'go install' fetches 'github.com/go-delve/delve/cmd/dlv' without a version: append '@<version>'"
RUN go get -u github.com/spf13/cobra@master \
# expect @-1:15 DW326 "'go get' fetches 'github.com/spf13/cobra@master' at the moving version 'master'"
 && go get gopkg.in/yaml.v3
# expect @-1:12 DW326 "'go get' fetches 'gopkg.in/yaml.v3' without a version"
# go run: the package, not the program's arguments
RUN go run github.com/swaggo/swag/cmd/swag@main init -g github.com/not/a/package
# expect @-1:12 DW326 "'go run' fetches 'github.com/swaggo/swag/cmd/swag@main' at the moving version 'main'"
RUN go install -tags netgo github.com/a/tool@v1.2.0 example.com/other/cmd/x
# expect @-1:53 DW326 "'go install' fetches 'example.com/other/cmd/x' without a version"
RUN /usr/local/go/bin/go install --mod=mod github.com/a/b@latest
# expect @-1:44 DW326 "fetches 'github.com/a/b@latest'"
ONBUILD RUN go install github.com/a/c
# expect @-1:24 DW326 "'go install' fetches 'github.com/a/c' without a version"
RUN ["go", "install", "github.com/a/d@latest"]
# expect @-1:23 DW326 "'go install' fetches 'github.com/a/d@latest'"
# a variable in the path does not pin the version written after it
RUN go install "github.com/org/${TOOL}/cmd/${TOOL}@latest"
# expect @-1:16 DW326 "at the moving version 'latest'"
