# test: rules=DW113 fix=safe
FROM golang:1.22
WORKDIR /src
COPY go.mod \
     go.sum .
# fixed:      go.sum ./
# expect @-2:13 DW113 "destination '.' does not end with '/'"
