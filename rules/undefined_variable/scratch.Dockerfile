# test: rules=DW101
# On scratch the environment is known: every undefined name is reported,
# except PATH, which BuildKit sets for scratch stages.
FROM scratch AS base
ENV PATH=/opt/bin:$PATH
COPY app /opt/$APP_DIR/
# expect @-1:15 DW101 "variable 'APP_DIR' is not defined: no ARG or ENV of this stage, its parent stages or the base image sets it"
FROM base
USER $UID
# expect @-1:6 DW101 "variable 'UID' is not defined"
FROM alpine:3.20
USER $UID
FROM scratch
ENV LD_LIBRARY_PATH=/opt/lib:$LD_LIBRARY_PATH
# expect @-1:30 DW101 "variable 'LD_LIBRARY_PATH' is not defined"
