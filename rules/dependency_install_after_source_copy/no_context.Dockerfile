# test: rules=DW201 fix=unsafe
FROM node:22-slim
WORKDIR /srv
COPY . .
RUN npm ci
# expect @-1:5 DW201 "'npm ci' (npm) runs after the COPY on line 4 copied the sources"

FROM python:3.12 AS py
COPY src/ /opt/app/
RUN cd /opt/app && pip install -r requirements.txt
# expect @-1:20 DW201 "'pip install' (pip) runs after the COPY on line 9"

FROM rust:1.81 AS rs
WORKDIR /usr/src/app
COPY . .
RUN cargo build --release
# expect @-1:5 DW201 "'cargo build' (cargo)"

FROM maven:3.9-eclipse-temurin-21 AS jv
COPY . /build
RUN mvn -B package -DskipTests
# expect @-1:5 DW201 "(maven)"

FROM mcr.microsoft.com/dotnet/sdk:8.0 AS net
COPY . .
RUN dotnet restore && dotnet publish -c Release -o /out
# expect @-1:5 DW201 "'dotnet restore' (dotnet)"

FROM elixir:1.17 AS ex
COPY . .
RUN mix deps.get --only prod
# expect @-1:5 DW201 "'mix deps.get' (mix)"
