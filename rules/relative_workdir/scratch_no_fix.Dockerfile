# test: rules=DW111 fix=safe
# The path is rewritten only when it is plain text.
FROM scratch
WORKDIR "my app"
# expect @-1:9 DW111 "my app"
FROM scratch
WORKDIR a\
pp
# expect @-2:9 DW111 "WORKDIR 'app' is relative"
