# test: rules=DW317
FROM opensuse/leap:15.5
RUN zypper -n dup
# expect @-1:15 DW317 "'zypper dup' may move the image to another distribution release: use a newer base image instead"
RUN zypper refresh && zypper --non-interactive dist-upgrade --no-recommends
# expect @-1:48 DW317 "'zypper dist-upgrade'"
ONBUILD RUN zypper -n dup
# expect @-1:23 DW317 "'zypper dup'"
