# test: rules=DW308 fix=safe
FROM fedora:40
RUN dnf install curl && dnf clean all
# fixed: RUN dnf install -y curl && dnf clean all
# expect @-2:9 DW308 "'dnf install' without -y: the build aborts at the confirmation prompt"
RUN dnf --setopt=install_weak_deps=False upgrade && dnf module install nodejs:20
# fixed: RUN dnf --setopt=install_weak_deps=False upgrade -y && dnf module install -y nodejs:20
# expect @-2:42 DW308 "'dnf upgrade'"
# expect @-3:64 DW308 "'dnf module install'"
RUN microdnf install jq \
# fixed: RUN microdnf install -y jq \
# expect @-2:14 DW308 "'microdnf install'"
 && dnf remove vim && dnf groupinstall "Development Tools" && dnf reinstall bash
# fixed:  && dnf remove -y vim && dnf groupinstall -y "Development Tools" && dnf reinstall -y bash
# expect @-2:9 DW308 "'dnf remove'"
# expect @-3:27 DW308 "'dnf groupinstall'"
# expect @-4:67 DW308 "'dnf reinstall'"
ONBUILD RUN dnf in git
# fixed: ONBUILD RUN dnf in -y git
# expect @-2:17 DW308 "'dnf in'"
