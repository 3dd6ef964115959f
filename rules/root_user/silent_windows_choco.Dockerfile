# test: rules=DW401
# A Windows image known only by its RUN starting Chocolatey (the base image
# names no Windows repository or tag).
FROM stefanscherer/chocolatey
ENV CYGWIN winsymlinks:lnk
RUN choco install -y cygwin
