# test: rules=DW118 fix=unsafe
FROM alpine:3.20
RUN wget -qO- https://example.com/x.tgz \
  | tar -xz
# expect @-1:3 DW118 "a failure of 'wget'"
