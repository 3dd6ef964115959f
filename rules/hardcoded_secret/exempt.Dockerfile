# test: rules=DW402
# Variables, placeholders, AWS example keys and secret mounts.
FROM alpine:3.20
ARG GITHUB_TOKEN
ENV GITHUB_TOKEN=${GITHUB_TOKEN} DB_PASSWORD=changeme API_KEY="<your-api-key>"
ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
RUN --mount=type=secret,id=db echo "password=$(cat /run/secrets/db)"
RUN --mount=type=secret,id=db DB_PASSWORD=Zq8vN3kP1xW7a9 ./migrate
RUN curl -u "$USER:$PASS" https://example.org
LABEL description="token based auth for the api"
CMD ["app"]
