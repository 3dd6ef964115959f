# test: rules=DW118 fix=unsafe
FROM debian:12
RUN apt-get update
# download and unpack
RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /opt
# expect @-1:45 DW118 "a failure of 'curl'"
RUN a | b
# expect @-1:7 DW118 "a failure of 'a'"

FROM python:3.12-alpine AS alp
  RUN a | b
# expect @-1:9 DW118 "a failure of 'a'"

FROM alp
RUN c | d
# expect @-1:7 DW118 "a failure of 'c'"

FROM myorg/unknown:1
RUN a | b
# expect @-1:7 DW118 "a failure of 'a'"

FROM debian:12
ONBUILD RUN a | b
# expect @-1:15 DW118 "a failure of 'a'"
