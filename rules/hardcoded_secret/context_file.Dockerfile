# test: rules=DW402
# Files a COPY sends into an output stage are scanned; ignored files are
# never sent, and a builder stage's layers never ship.
FROM python:3.12-slim AS build
COPY config /cfg
FROM python:3.12-slim
COPY . /app
# expect @-1:6 DW402 "hardcoded GitHub token 'ghp_…' in context file 'config/app.conf' line 2"
# expect @-2:6 DW402 "hardcoded password 'Zq8v…' in context file 'config/db.env' line 2"
COPY main.py /app/
