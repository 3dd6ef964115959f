# test: rules=DW204 fix=unsafe
FROM debian:12
COPY library-scripts/common-debian.sh /tmp/library-scripts/
RUN bash /tmp/library-scripts/common-debian.sh \
    && apt-get clean -y && rm -rf /var/lib/apt/lists/* /tmp/library-scripts
# expect @-1:56 DW204 "'/tmp/library-scripts' deletes '/tmp/library-scripts/common-debian.sh'"
COPY mit-scheme-debian.sh /tmp/library-scripts/
RUN bash /tmp/library-scripts/mit-scheme-debian.sh && rm -rf /tmp/library-scripts
# expect @-1:62 DW204 "(COPY on line 7)"
COPY library-scripts/*.sh library-scripts/*.env /tmp/scripts/
RUN . /tmp/scripts/meta.env && echo "$VERSION" > /etc/version
RUN bash /tmp/scripts/common-debian.sh \
    && apt-get clean -y && rm -rf /tmp/scripts
# expect @-1:35 DW204 "'/tmp/scripts' was created in an earlier layer (COPY on line 10)"
WORKDIR /opt/build
COPY tools/ helpers/
RUN sh helpers/run.sh && rm -rf /opt/build/helpers
# expect @-1:33 DW204 "(COPY on line 16)"
COPY --from=build /out/ /tmp/out/
RUN cp -r /tmp/out/bin /usr/local/ && rm -rf /tmp/out
# expect @-1:46 DW204 "(COPY on line 19)"
COPY setup.sh ../setup/
RUN chmod +x /opt/setup/setup.sh && /opt/setup/setup.sh && rm -rf /opt/setup/
# expect @-1:67 DW204 "(COPY on line 22)"
# The directory sends a file the wildcard does not match: no fix.
COPY more/*.sh /tmp/more/
RUN sh /tmp/more/x.sh && rm -rf /tmp/more
# expect @-1:33 DW204 "(COPY on line 26)"
