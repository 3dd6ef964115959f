# test: rules=DW122 fix=safe
FROM nginx:1.27
EXPOSE 8080:80
# fixed: EXPOSE 80
# expect @-2:8 DW122 "the EXPOSE entry '8080:80' names host port '8080', but EXPOSE records only the container port ('80')"
EXPOSE 443 127.0.0.1:8443:443/tcp
# fixed: EXPOSE 443 443/tcp
# expect @-2:12 DW122 "names host address '127.0.0.1' and host port '8443'"
EXPOSE 127.0.0.1::53/udp [::1]:9000:9000
# fixed: EXPOSE 53/udp 9000
# expect @-2:8 DW122 "names host address '127.0.0.1', but"
# expect @-3:26 DW122 "names host address '[::1]' and host port '9000'"
ARG MAP=5000:5000
EXPOSE $MAP
# expect @-1:8 DW122 "the EXPOSE entry '5000:5000' (from '$MAP') names host port '5000'"
