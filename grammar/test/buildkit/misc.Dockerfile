FROM alpine
EXPOSE 80/tcp 8000-8010/udp
USER app:app
USER my user
WORKDIR /app dir
STOPSIGNAL SIGTERM
MAINTAINER Jane Doe <jane@example.com>
HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/ || exit 1
HEALTHCHECK NONE
HEALTHCHECK CMD ["curl", "-f", "x"]
ONBUILD RUN echo hi
ONBUILD COPY --from=x a b
frobnicate all the things
from alpine as Lower
