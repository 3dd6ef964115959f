# test: rules=DW113 fix=safe
FROM alpine:3.20
WORKDIR /app
COPY go.mod go.sum .
# fixed: COPY go.mod go.sum ./
# expect @-2:20 DW113 "destination '.' does not end with '/' but COPY has 2 sources: BuildKit treats it as a directory, the classic builder refuses it"
COPY ["a", "b", ".."]
# fixed: COPY ["a", "b", "../"]
# expect @-2:17 DW113 "destination '..' does not end with '/'"
COPY a b /app
# expect @-1:10 DW113 "destination '/app' does not end with '/'"
