# test: rules=DW112 fix=safe
FROM node:20
COPY package.json .
# expect @-1:19 DW112 "COPY destination '.' is relative while no WORKDIR is set in this stage or its parents: the files land in the base image's working directory"
ADD app.tar.gz app/
# expect @-1:16 DW112 "ADD destination 'app/' is relative"
COPY ["a b", "c", "dest dir/"]
# expect @-1:19 DW112 "COPY destination 'dest dir/' is relative"
COPY --chown=1000 \
    src \
    lib/
# expect @-1:5 DW112 "COPY destination 'lib/' is relative"
WORKDIR /app
COPY . .
FROM node:20 AS second
COPY x y
# expect @-1:8 DW112 "COPY destination 'y' is relative"
