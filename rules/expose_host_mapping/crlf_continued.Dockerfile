# test: rules=DW122 fix=safe
FROM nginx:1.27
EXPOSE 80 \
    8080:8080
# fixed:     8080
# expect @-2:5 DW122 "host port '8080'"
