# test: rules=DW322 fix=safe
FROM node:22-slim
SHELL ["powershell", "-Command"]
RUN npm ci
# expect @-1:9 DW322 "'npm ci'"
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN npm ci
# fixed: RUN npm ci && npm cache clean --force
# expect @-2:9 DW322 "'npm ci'"
