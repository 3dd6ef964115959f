# test: rules=DW318 fix=safe
FROM python:3.12-slim
RUN pip install \
# fixed: RUN pip install --no-cache-dir \
# expect @-2:9 DW318 "'pip install'"
      click==8.1.7
RUN PIP_NO_CACHE_DIR=1 pip install six==1.16.0
