# test: rules=DW401
FROM mcr.microsoft.com/windows/servercore:ltsc2022
CMD ["cmd"]
