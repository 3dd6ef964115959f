# test: rules=DW322 fix=safe
FROM node:22-slim
RUN if [ -f package-lock.json ]; then npm ci; else yarn install; fi
# expect @-1:43 DW322 "'npm ci'"
