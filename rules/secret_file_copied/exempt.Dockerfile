# test: rules=DW403
# Example env files, public keys, certificates from another stage, heredocs.
FROM alpine:3.20 AS certs
RUN apk add ca-certificates
FROM alpine:3.20
COPY .env.example .env.sample /app/
COPY id_rsa.pub /root/.ssh/authorized_keys
COPY --from=certs /etc/ssl/cert.pem /etc/ssl/cert.pem
COPY <<EOF /app/.env
MODE=demo
EOF
COPY app/ /app/
