# test: rules=DW201 fix=safe
FROM node:22-slim
WORKDIR /srv
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# expect @-1:5 DW201 "'npm ci' (npm)"
