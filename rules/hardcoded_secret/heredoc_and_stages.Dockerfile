# test: rules=DW402
FROM alpine:3.20 AS build
RUN <<EOF
echo "//registry.npmjs.org/:_authToken=npm_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2" > .npmrc
EOF
# expect @-2:40 DW402 "the RUN command"
COPY <<EOF /root/.pypirc
password = pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoLWlqa2wtbW5vcC1xcnN0LXV2d3h5ejAxMjM0NTY3ODk
EOF
# expect @-2:12 DW402 "a COPY heredoc"
ONBUILD ENV STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc
# expect @-1:24 DW402 "Stripe"
FROM alpine:3.20
COPY --from=build /app /app
