# test: rules=DW312 fix=safe
FROM centos:7
RUN yum install -y httpd
# fixed: RUN yum install -y httpd && yum clean all
# expect @-2:9 DW312 "'yum install' leaves the package cache in /var/cache/yum: end the RUN with 'yum clean all'"
RUN yum clean all && yum groupinstall -y "Development Tools"
# fixed: RUN yum clean all && yum groupinstall -y "Development Tools" && yum clean all
# expect @-2:26 DW312 "'yum groupinstall'"
RUN yum install -y git && yum clean packages
# fixed: RUN yum install -y git && yum clean packages && yum clean all
# expect @-2:9 DW312 "'yum install'"
ONBUILD RUN yum localinstall -y /tmp/x.rpm
# fixed: ONBUILD RUN yum localinstall -y /tmp/x.rpm && yum clean all
# expect @-2:17 DW312 "'yum localinstall'"
