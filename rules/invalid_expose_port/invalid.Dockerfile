# test: rules=DW121
FROM nginx:1.27
EXPOSE 80 443/tcp 53/UDP 9/sctp 8000-8010/udp 0 65535 080
EXPOSE 65536 http 80/http 9000-8000
# expect @-1:8 DW121 "port '65536' is not a number from 0 to 65535"
# expect @-2:14 DW121 "port 'http' is not a number from 0 to 65535"
# expect @-3:22 DW121 "protocol 'http' is not tcp, udp or sctp"
# expect @-4:27 DW121 "port range '9000-8000' starts after it ends (9000 > 8000)"
EXPOSE -1 1-70000 a-b/tcp /tcp 8080:
# expect @-1:8 DW121 "port '-1' is not a number from 0 to 65535 or a range of two"
# expect @-2:13 DW121 "port range '1-70000' ends with '70000'"
# expect @-3:19 DW121 "port range 'a-b' starts with 'a'"
# expect @-4:21 DW121 "port range 'a-b' ends with 'b'"
# expect @-5:27 DW121 "no port in EXPOSE entry '/tcp'"
# expect @-6:37 DW121 "no port in EXPOSE entry '8080:'"
ARG PORTS="8080 99999/tcp"
ENV PROTO=tpc
EXPOSE $PORTS 80/${PROTO} \
       "81/udp"
# expect @-2:8 DW121 "port '99999' is not a number from 0 to 65535 (from '$PORTS')"
# expect @-3:15 DW121 "protocol 'tpc' is not tcp, udp or sctp (from '80/${PROTO}')"
