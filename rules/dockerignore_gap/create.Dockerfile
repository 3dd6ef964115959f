# test: rules=DW501 fix=safe
# No ignore file: the fix creates one, listing itself; dist/ is reported
# but kept, since no RUN builds it.
FROM golang:1.22
COPY . /src
# expect @-1:6 DW501 "COPY '.' sends 2 paths (5 B) that do not belong in an image: .env (4 B), dist/ (1 B); no .dockerignore exists, exclude them in .dockerignore"
RUN go test ./...
