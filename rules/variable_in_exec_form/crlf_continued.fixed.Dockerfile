#
FROM alpine:3.20
CMD ["/bin/sh", "-c", "exec app \"--port=$PORT\""]
#
