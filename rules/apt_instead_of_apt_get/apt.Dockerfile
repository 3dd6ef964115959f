# test: rules=DW306 fix=safe
FROM debian:12
RUN apt update && apt install -y --no-install-recommends curl \
# fixed: RUN apt-get update && apt-get install -y --no-install-recommends curl \
# expect @-2:5 DW306 "'apt update' uses the interactive apt front end: use apt-get"
# expect @-3:19 DW306 "'apt install'"
 && apt autoremove -y && apt clean && rm -rf /var/lib/apt/lists/*
# fixed:  && apt-get autoremove -y && apt-get clean && rm -rf /var/lib/apt/lists/*
# expect @-2:5 DW306 "'apt autoremove'"
# expect @-3:26 DW306 "'apt clean'"
RUN apt upgrade -y
# expect @-1:5 DW306 "'apt upgrade'"
RUN apt full-upgrade -y
# expect @-1:5 DW306 "'apt full-upgrade'"
RUN apt list --installed
# expect @-1:5 DW306 "'apt list'"
RUN sudo /usr/bin/apt purge -y vim
# fixed: RUN sudo /usr/bin/apt-get purge -y vim
# expect @-2:10 DW306 "'apt purge'"
ONBUILD RUN apt remove -y vim
# fixed: ONBUILD RUN apt-get remove -y vim
# expect @-2:13 DW306 "'apt remove'"
