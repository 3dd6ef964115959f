# test: rules=DW101
# Fallback forms, ARGs declared without a value, ENV and ARG of in-file
# parent stages, shell text (DW102's), ONBUILD triggers (they expand in the
# downstream build) and same-instruction ENV references (DW117's).
FROM scratch AS base
ARG NO_DEFAULT
ENV BASE_DIR=/srv
COPY a ${MISSING:-/default}/
COPY b ${MISSING-/default}/
LABEL x=${MISSING:+set} y=${MISSING+set}
WORKDIR $NO_DEFAULT
FROM base
ARG LATER=1
COPY c $BASE_DIR/$NO_DEFAULT/$LATER
RUN echo $UNDEFINED_IN_SHELL
CMD echo $UNDEFINED_IN_SHELL
ONBUILD COPY d /$DOWNSTREAM
ENV A=1 B=$A
HEALTHCHECK CMD test -n "$X"
SHELL ["/bin/sh", "-c", "$Y"]
