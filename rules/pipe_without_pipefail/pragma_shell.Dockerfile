# test: rules=DW118
# dockwright shell=pwsh
FROM mcr.microsoft.com/powershell:lts
RUN Get-Process | Sort-Object CPU
