# test: rules=DW204 fix=unsafe
FROM debian:12
RUN --mount=type=bind,source=library-scripts/common-debian.sh,target=/tmp/library-scripts/common-debian.sh bash /tmp/library-scripts/common-debian.sh \
    && apt-get clean -y && rm -rf /var/lib/apt/lists/*
# expect @-1:56 DW204 "'/tmp/library-scripts' deletes '/tmp/library-scripts/common-debian.sh'"
RUN --mount=type=bind,source=mit-scheme-debian.sh,target=/tmp/library-scripts/mit-scheme-debian.sh bash /tmp/library-scripts/mit-scheme-debian.sh
# expect @-1:62 DW204 "(COPY on line 7)"
RUN --mount=type=bind,source=library-scripts,target=/tmp/scripts . /tmp/scripts/meta.env && echo "$VERSION" > /etc/version
RUN --mount=type=bind,source=library-scripts,target=/tmp/scripts bash /tmp/scripts/common-debian.sh \
    && apt-get clean -y
# expect @-1:35 DW204 "'/tmp/scripts' was created in an earlier layer (COPY on line 10)"
WORKDIR /opt/build
RUN --mount=type=bind,source=tools,target=/opt/build/helpers sh helpers/run.sh
# expect @-1:33 DW204 "(COPY on line 16)"
RUN --mount=type=bind,from=build,source=/out,target=/tmp/out cp -r /tmp/out/bin /usr/local/
# expect @-1:46 DW204 "(COPY on line 19)"
RUN --mount=type=bind,source=setup.sh,target=/opt/setup/setup.sh,rw chmod +x /opt/setup/setup.sh && /opt/setup/setup.sh
# expect @-1:67 DW204 "(COPY on line 22)"
# The directory sends a file the wildcard does not match: no fix.
COPY more/*.sh /tmp/more/
RUN sh /tmp/more/x.sh && rm -rf /tmp/more
# expect @-1:33 DW204 "(COPY on line 26)"
