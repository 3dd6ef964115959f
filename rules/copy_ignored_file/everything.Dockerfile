# test: rules=DW502
FROM alpine:3.20
COPY . /srv
# expect @-1:6 DW502 "COPY source '.' copies nothing: .dockerignore:1 ('*') excludes the whole context"
