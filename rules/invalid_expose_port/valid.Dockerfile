# test: rules=DW121
# Valid ports, ranges and protocols in any case; entries whose variables
# have no known value are skipped; host parts are DW122's.
FROM nginx:1.27
ARG PORT
ARG OTHER=8080
EXPOSE 80 443/TCP 53/udp 132/SCTP 0 65535 1000-2000/udp 80/
EXPOSE $PORT ${PORT}/tcp ${UNKNOWN:-9090} $OTHER
EXPOSE 8080:80 127.0.0.1:8443:443/tcp
