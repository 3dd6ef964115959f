# test: rules=DW204 fix=safe
FROM debian:12
RUN curl -fsSLo /tmp/sdk.tgz https://example.invalid/sdk.tgz && tar -xzf /tmp/sdk.tgz -C /opt
RUN rm -f /tmp/sdk.tgz
# expect @-1:11 DW204 "'/tmp/sdk.tgz' was created in an earlier layer (curl -o on line 3); deleting it here leaves its bytes in that layer"
