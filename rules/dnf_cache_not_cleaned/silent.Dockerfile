# test: rules=DW309
FROM fedora:40 AS build
RUN dnf install -y gcc

FROM fedora:40
COPY --from=build /usr/bin/gcc /usr/bin/gcc
RUN dnf install -y curl && dnf clean all
RUN dnf install -y curl && rm -rf /var/cache/dnf
RUN dnf install -y curl && rm -rf /var/cache/dnf/*
RUN microdnf install -y jq && microdnf clean all
RUN microdnf install -y jq && rm -rf /var/cache/yum
RUN --mount=type=cache,target=/var/cache/dnf dnf install -y curl
RUN --mount=type=tmpfs,target=/var/cache/yum microdnf install -y curl
RUN dnf remove -y vim
RUN dnf makecache
