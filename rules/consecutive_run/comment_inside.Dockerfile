# test: rules=DW203 fix=safe
FROM debian:12
RUN echo a # note
RUN echo b
# expect @-1:1 DW203 "line 3"
