# Windows image
# escape=`
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
COPY app.exe C:\app\
# expect @-3:1 DW010 "'# escape=' is read as a plain comment"
# test: rules=DW010 fix=unsafe
