# test: rules=DW201
FROM node:22-slim
WORKDIR /srv
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM python:3.12-slim
COPY . /app
RUN pip install flask gunicorn
RUN pip install /app
RUN pip install -e /app

FROM golang:1.23
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod go build -o /bin/app .
RUN go install golang.org/x/tools/cmd/stringer@v0.25.0

FROM node:22 AS other
RUN npm install -g pnpm@9
COPY app.js /srv/
RUN npm install express

FROM golang:1.23 AS pre
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build ./...
