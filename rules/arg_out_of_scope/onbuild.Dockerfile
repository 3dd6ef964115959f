# test: rules=DW102 fix=unsafe
# ONBUILD RUN triggers run in the downstream build, before it declares
# any ARG: only ENV of the image reaches them.
ARG VERSION=1
FROM alpine:3.20
ARG MODE=prod
ENV HOME_DIR=/srv
ONBUILD RUN echo $MODE $HOME_DIR $LATER_ENV $HOME
# expect @-1:18 DW102 "'MODE' is an ARG of this Dockerfile, which does not exist where the ONBUILD trigger runs"
ONBUILD RUN echo ${VERSION} $TARGETARCH $HTTP_PROXY
# expect @-1:18 DW102 "'VERSION' is a global ARG of this Dockerfile, which does not exist where the ONBUILD trigger runs"
# expect @-2:29 DW102 "'TARGETARCH' is an automatic platform ARG"
ONBUILD CMD echo $MODE
ONBUILD RUN ["echo", "$MODE"]
ENV LATER_ENV=1
