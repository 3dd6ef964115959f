# test: rules=DW315
FROM opensuse/leap:15.6 AS build
RUN zypper -n install gcc

FROM opensuse/leap:15.6
COPY --from=build /usr/bin/gcc /usr/bin/gcc
RUN zypper -n install curl && zypper clean --all
RUN zypper -n install curl && zypper clean
RUN zypper -n install curl && zypper cc -a
RUN zypper -n install curl && zypper -n clean -a
RUN --mount=type=cache,target=/var/cache/zypp zypper -n install curl
RUN zypper -n remove vim
RUN zypper -n refresh
