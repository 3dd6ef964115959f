# test: rules=DW008
# Continuations that are meant: the next line is indented, lower-case,
# or a keyword without a blank after it.
FROM alpine:3.20
RUN apk add --no-cache \
    curl \
    RUN-this-is-an-argument
ENV PATH=/usr/local/bin:\
/usr/bin
RUN echo \
run lowercase is not a keyword here
LABEL description="multi \
line"
WORKDIR C:\\
RUN dir
