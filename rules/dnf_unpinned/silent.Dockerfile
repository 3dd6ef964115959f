# test: rules=DW310
FROM fedora:40
ARG JQ_VERSION=1.7.1
RUN dnf install -y curl-8.6.0-1.fc40 "jq-${JQ_VERSION}" && dnf clean all
RUN dnf install -y @development-tools && dnf groupinstall -y "C Development Tools and Libraries"
RUN dnf group install -y development-tools
RUN dnf install -y ./local.rpm /tmp/x.rpm https://example.com/pkg.rpm
RUN dnf install -y 'dnf-command(config-manager)' /usr/bin/make
RUN dnf module install -y nodejs:20/minimal
RUN dnf remove -y vim
RUN yum install -y curl
