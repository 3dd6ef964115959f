# test: rules=DW401
# A Windows image known only by its SHELL and WORKDIR.
FROM myorg/app-base:1
SHELL ["powershell", "-Command"]
WORKDIR C:\\app
CMD ["app.exe"]
