# test: rules=DW317
FROM opensuse/leap:15.6
RUN zypper -n update
RUN zypper -n patch
RUN zypper -n install dup
RUN echo zypper dup
