# test: rules=DW501
FROM golang:1.22
COPY . /src
# expect @-1:6 DW501 "COPY '.' sends the whole build context and no .dockerignore exists"
