# test: rules=DW402
FROM alpine:3.20
ENV GITHUB_TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5
# expect @-1:18 DW402 "hardcoded GitHub token 'ghp_…' in ENV 'GITHUB_TOKEN': rotate it"
LABEL deploy.key="AKIAQ4XYZ7KWMRTPNL23"
# expect @-1:19 DW402 "in LABEL 'deploy.key'"
RUN git clone https://deploy:s3cr3tPassw0rd9@git.example.org/app.git /src
# expect @-1:30 DW402 "hardcoded password in a URL 's3cr…' in the RUN command"
RUN echo build && \
    curl -H "Authorization: Bearer xoxb-123456789012-Zk8Qw2Lm5Np7" https://x.org
# expect @-1:36 DW402 "'xoxb…'"
ADD https://user:Zq8vN3kP1xW7@files.example.net/a.tgz /tmp/
# expect @-1:18 DW402 "the ADD URL"
CMD ["app", "--token", "glpat-Ab1Cd2Ef3Gh4Ij5Kl6Mn"]
# expect @-1:25 DW402 "the CMD command"
