# test: rules=DW203 fix=safe
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command"]
RUN Write-Host a
RUN Write-Host b
# expect @-1:1 DW203 "line 4"
