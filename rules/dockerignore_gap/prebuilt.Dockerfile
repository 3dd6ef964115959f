# test: rules=DW501 fix=safe
# Trap: a prebuilt dist/ and node_modules/ are what this image ships (no
# RUN installs or builds them), so the fix adds only the log pattern.
FROM node:20-slim
COPY . /app
# expect @-1:6 DW501 "COPY '.' sends 3 paths"
CMD ["node", "/app/dist/index.js"]
