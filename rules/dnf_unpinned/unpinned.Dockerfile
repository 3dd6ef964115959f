# test: rules=DW310
FROM fedora:40
RUN dnf install -y curl-8.6.0 python3-pip gcc-c++ && dnf clean all
# expect @-1:31 DW310 "package 'python3-pip' is not pinned: use 'python3-pip-<version>'"
# expect @-2:43 DW310 "package 'gcc-c++'"
RUN dnf module install -y nodejs && dnf clean all
# expect @-1:27 DW310 "module 'nodejs' has no stream: use 'nodejs:<stream>'"
RUN microdnf install -y jq && microdnf clean all
# expect @-1:25 DW310 "package 'jq'"
ONBUILD RUN dnf in -y git
# expect @-1:23 DW310 "package 'git'"
