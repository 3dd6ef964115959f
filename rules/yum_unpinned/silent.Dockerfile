# test: rules=DW313
FROM centos:7
ARG V=1.0
RUN yum install -y httpd-2.4.6-99.el7 "tool-$V" && yum clean all
RUN yum install -y ./x.rpm /tmp/y.rpm @development && yum clean all
RUN yum groupinstall -y "Development Tools"
RUN yum module install -y nodejs:18
RUN yum remove -y vim
RUN dnf install -y curl
