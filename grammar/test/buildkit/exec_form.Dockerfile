FROM scratch
CMD ["echo", "a\"b", "\u00e9"]
ENTRYPOINT ["/bin/sh", "-c"]
CMD []
CMD ["echo", "x"
SHELL ["powershell", "-Command"]
VOLUME ["/data", "/logs"]
VOLUME /a /b
CMD ['single']
