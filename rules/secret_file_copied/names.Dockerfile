# test: rules=DW403
FROM node:20 AS build
COPY .npmrc package.json /app/
# expect @-1:6 DW403 "COPY puts npm configuration that may hold registry tokens '.npmrc' into the image: mount it for the one RUN that needs it (RUN --mount=type=secret,id=npmrc,target=...) and build with --secret id=npmrc,src=.npmrc"
COPY id_rsa /root/.ssh/id_rsa
# expect @-1:6 DW403 "--secret id=id_rsa,src=id_rsa"
ADD ["certs/*.p12", "/certs/"]
# expect @-1:6 DW403 "'certs/*.p12' into the image: mount it for the one RUN that needs it (RUN --mount=type=secret,id=secret,target=...) and build with --secret id=secret,src=<file>"
COPY .env.production ./
# expect @-1:6 DW403 ".env.production"
FROM node:20
COPY --from=build /root/.aws/credentials /root/.aws/credentials
# expect @-1:19 DW403 "/root/.aws/credentials"
ONBUILD COPY secrets/kubeconfig /kube/
# expect @-1:14 DW403 "kubeconfig"
