# test: rules=DW201 fix=safe
FROM elixir:1.17-slim AS build
ENV MIX_ENV=prod
WORKDIR /app
RUN mix local.hex --force && mix local.rebar --force
COPY . .
RUN mix deps.get --only prod && mix release
# expect @-1:5 DW201 "'mix deps.get' (mix) runs after the COPY on line 6"
