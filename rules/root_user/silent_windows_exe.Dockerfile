# test: rules=DW401
# A Windows image known by a parent stage's RUN starting a .exe program.
FROM myorg/winbase:1 AS tools
RUN setup.exe /quiet /norestart

FROM tools
COPY app /app
CMD ["app"]
