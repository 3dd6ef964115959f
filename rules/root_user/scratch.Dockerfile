# test: rules=DW401 fix=unsafe
FROM scratch
COPY app /app
# fixed: COPY app /app
# fixed: USER 65532:65532
# expect @-4:6 DW401 "base image 'scratch'"
CMD ["/app"]
