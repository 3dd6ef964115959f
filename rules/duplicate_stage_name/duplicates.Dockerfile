# test: rules=DW107
FROM golang:1.22 AS build
RUN go build -o /app ./cmd/app
FROM node:20 AS Build
# expect @-1:17 DW107 "stage name 'Build' is already used by the stage at line 2"
RUN npm ci
FROM alpine:3.20 as base
FROM base AS build
# expect @-1:14 DW107 "stage name 'build' is already used by the stage at line 4"
FROM alpine:3.20
COPY --from=build /app /app
