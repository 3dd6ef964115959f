# test: rules=DW401
FROM debian:12
RUN apt-get update && apt-get install -y gosu
USER root
ENTRYPOINT ["gosu", "nobody", "/app"]
