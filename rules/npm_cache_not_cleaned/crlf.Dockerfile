# test: rules=DW322 fix=safe
FROM node:22-slim
RUN npm ci \
    --omit=dev
# fixed:     --omit=dev && npm cache clean --force
# expect @-3:9 DW322 "npm ci"
