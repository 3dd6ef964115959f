# test: rules=DW308
FROM fedora:40
RUN dnf install -y curl && dnf clean all
RUN dnf -y install curl
RUN dnf install --assumeyes curl
RUN dnf -qy upgrade
RUN microdnf install -y jq
RUN dnf module enable -y nodejs:20
RUN dnf makecache
RUN dnf clean all
RUN dnf list installed
RUN yum install curl
