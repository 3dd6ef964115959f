# test: rules=DW318 fix=safe
# An exec-form RUN is reported without a fix: the edit would fall inside
# its JSON strings.
FROM python:3.12-slim
RUN ["pip", "install", "click==8.1.7"]
# expect @-1:13 DW318 "'pip install' without --no-cache-dir"
RUN ["/opt/venv/bin/python", "-m", "pip", "install", "--no-cache-dir", "click==8.1.7"]
