# test: rules=DW311 fix=safe
FROM centos:7
RUN yum install httpd && yum clean all
# fixed: RUN yum install -y httpd && yum clean all
# expect @-2:9 DW311 "'yum install' without -y: the build aborts at the confirmation prompt"
RUN yum update \
# fixed: RUN yum update -y \
# expect @-2:9 DW311 "'yum update'"
 && yum groupinstall "Development Tools" && yum localinstall /tmp/x.rpm && yum remove vim
# fixed:  && yum groupinstall -y "Development Tools" && yum localinstall -y /tmp/x.rpm && yum remove -y vim
# expect @-2:9 DW311 "'yum groupinstall'"
# expect @-3:49 DW311 "'yum localinstall'"
# expect @-4:80 DW311 "'yum remove'"
ONBUILD RUN sudo yum install git
# fixed: ONBUILD RUN sudo yum install -y git
# expect @-2:22 DW311 "'yum install'"
