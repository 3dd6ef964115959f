# test: rules=DW402
FROM alpine:3.20
RUN apk add git && \
    git clone https://ci:Zq8vN3kP1xW7@git.example.org/x.git
# expect @-1:26 DW402 "hardcoded password in a URL 'Zq8v…'"
ENV A=1 \
    NPM_TOKEN=npm_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2
# expect @-1:15 DW402 "ENV 'NPM_TOKEN'"
