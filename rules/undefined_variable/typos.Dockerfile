# test: rules=DW101 fix=unsafe
# With a base image whose environment is unknown, only names close to a
# name in scope are reported.
FROM alpine:3.20
ARG APP_HOME=/srv/app
ENV APP_USER=app
WORKDIR $APP_HOEM
# fixed: WORKDIR $APP_HOME
# expect @-2:9 DW101 "variable 'APP_HOEM' is not defined (did you mean 'APP_HOME'?)"
USER ${APP_USR}:${APP_USER}
# fixed: USER ${APP_USER}:${APP_USER}
# expect @-2:6 DW101 "variable 'APP_USR' is not defined (did you mean 'APP_USER'?)"
COPY app.conf ${app_home}/conf/
# fixed: COPY app.conf ${APP_HOME}/conf/
# expect @-2:15 DW101 "(did you mean 'APP_HOME'?)"
ENV GOPATH=$HOME/go PATH=$PATH:$GOPATH/bin
LABEL home="$HOME"
ENV LD_LIBRARY_PATH=/opt/lib
ENV DYLD_LIBRARY_PATH=/opt/lib:$DYLD_LIBRARY_PATH
ARG LATER@1
COPY c /$LATER/
