# test: rules=DW501
# Everything junk is ignored already; named files are what was asked for.
FROM python:3.12-slim
COPY . /app
COPY src /app/src
