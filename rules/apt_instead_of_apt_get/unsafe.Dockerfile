# test: rules=DW306 fix=unsafe
FROM debian:12
RUN apt upgrade -y
# fixed: RUN apt-get upgrade -y
# expect @-2:5 DW306 "'apt upgrade'"
RUN apt full-upgrade -y
# fixed: RUN apt-get full-upgrade -y
# expect @-2:5 DW306 "'apt full-upgrade'"
RUN apt show curl
# expect @-1:5 DW306 "'apt show'"
