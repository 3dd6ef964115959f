# test: rules=DW316
FROM opensuse/leap:15.6
ARG V=8.6.0
RUN zypper -n install curl=8.6.0 "git<3" "jq>1.6" "vim<=9.1" "make>=4" "tool=$V"
RUN zypper -n install ./local.rpm /tmp/x.rpm
RUN zypper -n install -t pattern devel_basis
RUN zypper -n remove vim
RUN zypper -n dup
