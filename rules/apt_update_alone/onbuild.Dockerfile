# test: rules=DW202 fix=safe
FROM debian:12
ONBUILD RUN apt-get update
# expect @-1:13 DW202 "nothing after it"
RUN sudo apt-get update
# expect @-1:10 DW202 "apt-get update"
