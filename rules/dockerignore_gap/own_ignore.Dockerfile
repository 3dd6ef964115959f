# test: rules=DW501 fix=safe
# The Dockerfile's own ignore file (beside it, outside the context)
# replaces the context's: dist/ is excluded; there is no .dockerignore in
# the context, yet an ignore file is in effect, and none is created.
FROM node:20
COPY . /app
