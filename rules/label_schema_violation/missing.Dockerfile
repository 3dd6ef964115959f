# test: rules=DW123
# A stage is excused when a later stage built on it or copying from it has
# the label; labels are inherited from in-file parents.
FROM alpine:3.20 AS deps
RUN echo deps

FROM alpine:3.20 AS tools
LABEL version=1.0.0

FROM alpine:3.20 AS lint
RUN echo unused
# expect @-2:1 DW123 "stage 'lint' has no label 'maintainer', which the label schema requires"
# expect @-3:1 DW123 "stage 'lint' has no label 'version'"

FROM deps AS app
COPY --from=tools /bin/sh /tools/sh
LABEL maintainer=ops@example.com version=2.0.0 com.example.team=ops
# expect @-1:48 DW123 "label 'com.example.team' is not in the label schema (strict-labels)"

FROM app AS final
LABEL version=2.0.1

FROM scratch
ARG BUILD_VERSION
LABEL version=$BUILD_VERSION
# expect @-3:1 DW123 "stage 5 has no label 'maintainer'"
