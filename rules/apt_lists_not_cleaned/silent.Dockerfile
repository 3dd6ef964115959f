# test: rules=DW301
FROM debian:12 AS builder
# a builder stage: its layers never ship
RUN apt-get update && apt-get install -y --no-install-recommends gcc

FROM debian:12
COPY --from=builder /usr/bin/gcc /usr/local/bin/gcc
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists
RUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get dist-clean
RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y curl
RUN --mount=type=tmpfs,target=/var/lib/apt/ apt-get update && apt-get install -y curl
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    apt-get update && apt-get install -y curl
RUN apt-get clean && apt-get autoremove -y
RUN apt-cache policy curl
RUN echo apt-get update
RUN apt-get update && apt-get install -y curl \
    && rm -rf /var/lib/apt/lists/* /tmp/*
RUN apt-get update && apt-get install -y curl; rm -fr /var/lib/apt/lists/*
