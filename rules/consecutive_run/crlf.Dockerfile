# test: rules=DW203 fix=safe
FROM debian:12
RUN apt-get update \
    && apt-get install -y curl
# fixed:     && apt-get install -y curl \
RUN echo done
# fixed:  && echo done
# expect @-2:1 DW203 "line 3"
