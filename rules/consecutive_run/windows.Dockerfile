# test: rules=DW203 fix=safe
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
RUN mkdir C:\app
RUN echo done
# expect @-1:1 DW203 "line 3"
