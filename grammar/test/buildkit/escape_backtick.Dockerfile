# escape=`
FROM mcr.microsoft.com/windows/servercore
RUN dir C:\ `
    && echo done
COPY C:\src\ C:\dst\
ENV P=C:\tools `
    Q=1
