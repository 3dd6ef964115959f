# test: rules=DW201 fix=safe
FROM node:22-slim
WORKDIR /srv
COPY . .
RUN npm ci
# expect @-1:5 DW201 "'npm ci' (npm)"
