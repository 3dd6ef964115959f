# test: rules=DW401
FROM microsoft/iis
RUN echo hi
