# test: rules=DW303 fix=safe
FROM debian:12 AS builder
RUN apt-get install --no-install-recommends curl
# fixed: RUN apt-get install -y --no-install-recommends curl
# expect @-2:13 DW303 "'apt-get install' without -y: the build aborts at the confirmation prompt"
RUN apt-get update && apt upgrade
# fixed: RUN apt-get update && apt upgrade -y
# expect @-2:27 DW303 "'apt upgrade' without -y"
RUN apt-get -q dist-upgrade && apt-get full-upgrade -q
# fixed: RUN apt-get -q dist-upgrade -y && apt-get full-upgrade -y -q
# expect @-2:16 DW303 "'apt-get dist-upgrade'"
# expect @-3:40 DW303 "'apt-get full-upgrade'"
RUN apt-get remove curl; apt-get purge wget \
# fixed: RUN apt-get remove -y curl; apt-get purge -y wget \
# expect @-2:13 DW303 "'apt-get remove'"
# expect @-3:34 DW303 "'apt-get purge'"
    && sudo apt-get autoremove
# fixed:     && sudo apt-get autoremove -y
# expect @-2:21 DW303 "'apt-get autoremove'"
ONBUILD RUN apt-get install curl
# fixed: ONBUILD RUN apt-get install -y curl
# expect @-2:21 DW303 "'apt-get install'"
