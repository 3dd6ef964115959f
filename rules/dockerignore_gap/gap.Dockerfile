# test: rules=DW501 fix=safe
# A root-only pattern misses a deeper copy; the fix appends **/ forms.
FROM python:3.12-slim
COPY . /app
# expect @-1:6 DW501 "COPY '.' sends 6 paths (3.0 KiB) that do not belong in an image: web/node_modules/ (2.9 KiB), .env (28 B), .dockerignore (13 B), docker-compose.yml (13 B), logs/app.log (5 B) and 1 more; exclude them in .dockerignore"
RUN npm ci --prefix /app/web
CMD ["python", "/app/src/main.py"]
