# test: rules=DW204 fix=safe
FROM alpine:3.20
WORKDIR /src
RUN git clone --depth 1 https://example.invalid/tool.git \
 && wget -O /opt/data.bin https://example.invalid/data.bin \
 && rm -rf /src/tool
RUN make -C /opt
# expect @-1:28 DW204 "'/src/tool' was created in an earlier layer (git clone on line 4)"
