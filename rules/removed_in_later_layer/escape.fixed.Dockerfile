# escape=`
# test: rules=DW204 fix=safe
FROM debian:12
RUN wget -O /opt/big.iso https://example.invalid/big.iso && sha256sum /opt/big.iso `
 && rm /opt/big.iso
# expect @-1:8 DW204 "(wget -O on line 4)"
