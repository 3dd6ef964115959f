# test: rules=DW312
FROM centos:7 AS build
RUN yum install -y gcc

FROM centos:7
COPY --from=build /usr/bin/gcc /usr/bin/gcc
RUN yum install -y httpd && yum clean all
RUN yum install -y httpd && rm -rf /var/cache/yum
RUN yum install -y httpd && rm -rf /var/cache/yum/*
RUN --mount=type=cache,target=/var/cache/yum yum install -y httpd
RUN yum remove -y vim
RUN dnf install -y curl
