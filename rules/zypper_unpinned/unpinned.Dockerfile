# test: rules=DW316
FROM opensuse/leap:15.6
RUN zypper -n install curl 'git>=2.43' 'vim = 9.1' && zypper clean
# expect @-1:23 DW316 "package 'curl' is not pinned: use 'curl=<version>'"
RUN zypper -n in -t package jq
# expect @-1:29 DW316 "package 'jq'"
ONBUILD RUN zypper -n in make
# expect @-1:26 DW316 "package 'make'"
