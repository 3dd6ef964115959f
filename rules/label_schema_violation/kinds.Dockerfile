# test: rules=DW123
# hadolint configuration: DL3049 (missing) ignored, DL3056 raised to error;
# the other kinds are unaffected.
FROM alpine:3.20
LABEL version=1.0 author=""
# expect @-1:15 DW123 "label 'version' is not a semantic version: '1.0'"
# expect @-2:26 DW123 "label 'author' is empty"
