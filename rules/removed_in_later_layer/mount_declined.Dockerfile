# test: rules=DW204 fix=unsafe
FROM debian:12
# Sources in two directories, one a wildcard: no one mount shows them.
COPY environment.yml* .devcontainer/noop.txt /tmp/conda-tmp/
RUN if [ -f /tmp/conda-tmp/environment.yml ]; then conda env update -f /tmp/conda-tmp/environment.yml; fi \
    && rm -rf /tmp/conda-tmp
# expect @-1:15 DW204 "'/tmp/conda-tmp' was created in an earlier layer (COPY on line 4)"
# --chown/--chmod: a bind mount keeps the source's owner and mode.
COPY --chown=app run.sh /tmp/run/
RUN /tmp/run/run.sh && rm -rf /tmp/run
# expect @-1:31 DW204 "(COPY on line 9)"
COPY --chmod=755 go.sh /tmp/go/
RUN /tmp/go/go.sh && rm -rf /tmp/go
# expect @-1:29 DW204 "(COPY on line 12)"
# ADD: without a context the source may be an archive; a URL is no mount.
ADD tool.bin /tmp/tool/
RUN /tmp/tool/tool.bin && rm -rf /tmp/tool
# expect @-1:34 DW204 "(ADD on line 16)"
ADD https://example.invalid/get.sh /tmp/get.sh
RUN sh /tmp/get.sh && rm /tmp/get.sh
# expect @-1:26 DW204 "(ADD on line 19)"
# A step in between changes the files: the change would not reach the
# next mount.
COPY x.sh /tmp/x/
RUN chmod +x /tmp/x/x.sh
RUN /tmp/x/x.sh && rm -rf /tmp/x
# expect @-1:27 DW204 "(COPY on line 24)"
# Something other than a RUN names them.
COPY build.sh /tmp/b/
WORKDIR /tmp/b
RUN sh build.sh && rm -rf /tmp/b
# expect @-1:27 DW204 "(COPY on line 29)"
WORKDIR /
# The deleting RUN moves or writes into them.
COPY meta.env /tmp/m/
RUN mv /tmp/m/meta.env /etc/ && rm -rf /tmp/m
# expect @-1:40 DW204 "(COPY on line 35)"
COPY r.sh /tmp/r/
RUN sh /tmp/r/r.sh > /tmp/r/log && rm -rf /tmp/r
# expect @-1:43 DW204 "(COPY on line 38)"
# The directory held other files before the COPY.
RUN mkdir -p /tmp/e && echo keep > /tmp/e/keep
COPY e.sh /tmp/e/
RUN sh /tmp/e/e.sh && rm -rf /tmp/e
# expect @-1:30 DW204 "(COPY on line 43)"
# Flags a mount has no equivalent of; the exec form.
COPY --parents a/p.sh /tmp/p/
RUN sh /tmp/p/a/p.sh && rm -rf /tmp/p
# expect @-1:32 DW204 "(COPY on line 47)"
COPY ["s.sh", "/tmp/s/"]
RUN sh /tmp/s/s.sh && rm -rf /tmp/s
# expect @-1:30 DW204 "(COPY on line 50)"
# The rm deletes one of two files: the other would be lost.
COPY a.sh b.sh /tmp/ab/
RUN sh /tmp/ab/a.sh && rm /tmp/ab/a.sh
# expect @-1:27 DW204 "(COPY on line 54)"
# A wildcard directory; an rm of a parent of the destination.
COPY */w.sh /tmp/w/
RUN sh /tmp/w/w.sh && rm -rf /tmp/w
# expect @-1:30 DW204 "(COPY on line 58)"
COPY y.sh /tmp/q/y/
RUN sh /tmp/q/y/y.sh && rm -rf /tmp/q
# expect @-1:32 DW204 "(COPY on line 61)"
# A wildcard without a known build context.
COPY lib/*.sh /tmp/lib/
RUN sh /tmp/lib/x.sh && rm -rf /tmp/lib
# expect @-1:32 DW204 "(COPY on line 65)"
