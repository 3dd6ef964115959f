# test: rules=DW203 fix=safe
FROM alpine:3.20
RUN cd /opt && make
# fixed: RUN ( cd /opt && make ) \
RUN test -f x || touch x
# fixed:  && ( test -f x || touch x )
# expect @-2:1 DW203 "line 3"
