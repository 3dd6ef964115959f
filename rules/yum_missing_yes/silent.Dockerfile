# test: rules=DW311
FROM centos:7
RUN yum install -y httpd && yum clean all
RUN yum -y install httpd
RUN yum install --assumeyes httpd
RUN yum makecache && yum clean all
RUN yum list installed
RUN dnf install curl
