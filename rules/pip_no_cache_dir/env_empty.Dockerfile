# test: rules=DW318 fix=safe
# pip ignores an empty PIP_NO_CACHE_DIR: the cache stays on
FROM python:3.12-slim
ENV PIP_NO_CACHE_DIR=
RUN pip install six==1.16.0
# fixed: RUN pip install --no-cache-dir six==1.16.0
# expect @-2:9 DW318 "'pip install' without --no-cache-dir"
