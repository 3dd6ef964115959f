# test: rules=DW313
FROM centos:7
RUN yum install -y httpd-2.4.6 mod_ssl && yum clean all
# expect @-1:32 DW313 "package 'mod_ssl' is not pinned: use 'mod_ssl-<version>'"
RUN yum module install -y nodejs && yum clean all
# expect @-1:27 DW313 "module 'nodejs' has no stream"
ONBUILD RUN yum install -y git
# expect @-1:28 DW313 "package 'git'"
