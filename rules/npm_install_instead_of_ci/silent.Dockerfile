# test: rules=DW321
FROM node:22-slim AS early
RUN npm install
COPY package.json package-lock.json ./

FROM node:22-slim AS nolock
COPY package.json ./
RUN npm install
COPY . .
RUN npm install
COPY src/ ./src/
RUN npm install

FROM node:22-slim AS packages
COPY package.json package-lock.json ./
RUN npm ci
RUN npm install express@4.19.2
RUN npm install -g
RUN npm install --global && npm install --location=global
RUN npm uninstall lodash
RUN npm install-test

FROM node:22-slim AS other
RUN npm install

FROM nolock
RUN npm install
