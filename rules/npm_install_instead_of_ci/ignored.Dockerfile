# test: rules=DW321
FROM node:22-slim
WORKDIR /app
COPY . .
RUN npm install
