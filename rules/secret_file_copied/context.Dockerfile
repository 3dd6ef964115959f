# test: rules=DW403
# With the context: directory copies are looked into, readable .npmrc and
# .pem files are judged by content, ignored files are never sent.
FROM node:20
COPY app /app
COPY keys /keys
# expect @-1:6 DW403 "COPY puts 2 credential files (SSH private key 'keys/id_ed25519' and 1 more)"
COPY keys/old_id_rsa /tmp/
