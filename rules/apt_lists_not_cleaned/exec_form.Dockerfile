# test: rules=DW301 fix=safe
# The exec-form install relies on the lists of the RUN before it, so that
# RUN's fix is unsafe; an exec-form RUN itself gets no fix.
FROM debian:12
RUN apt-get update
# expect @-1:13 DW301 "'apt-get update'"
RUN ["apt-get", "install", "-y", "curl"]
# expect @-1:17 DW301 "'apt-get install'"
