# test: rules=DW501 fix=safe
# A file over max-file-size (1024 bytes here) is reported, not ignored.
FROM python:3.12-slim
COPY . /srv
# expect @-1:6 DW501 "COPY '.' sends a path that does not belong in an image: model.bin (2.0 KiB)"
