# test: rules=DW309 fix=safe
FROM fedora:40
RUN dnf install -y curl
# fixed: RUN dnf install -y curl && dnf clean all
# expect @-2:9 DW309 "'dnf install' leaves the package cache in /var/cache/dnf: end the RUN with 'dnf clean all'"
RUN dnf clean all && dnf upgrade -y
# fixed: RUN dnf clean all && dnf upgrade -y && dnf clean all
# expect @-2:26 DW309 "'dnf upgrade'"
RUN microdnf install -y jq \
 && microdnf clean all \
 && microdnf reinstall -y bash
# fixed:  && microdnf reinstall -y bash && microdnf clean all
# expect @-2:14 DW309 "'microdnf reinstall' leaves the package cache in /var/cache/yum"
RUN dnf install -y git && rm -rf /var/cache/yum
# fixed: RUN dnf install -y git && rm -rf /var/cache/yum && dnf clean all
# expect @-2:9 DW309 "'dnf install'"
ONBUILD RUN dnf install -y make
# fixed: ONBUILD RUN dnf install -y make && dnf clean all
# expect @-2:17 DW309 "'dnf install'"
RUN <<EOF
set -e
dnf install -y curl
EOF
# fixed: dnf clean all
# fixed: EOF
# expect @-4:5 DW309 "'dnf install'"
