# test: rules=DW404
# A literal secret value is DW402's finding; this rule stays silent.
FROM alpine:3.20
ENV GITHUB_TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5
RUN true
