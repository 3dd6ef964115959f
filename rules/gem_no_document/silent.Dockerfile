# test: rules=DW325
# a builder stage: its layers never ship
FROM debian:12-slim AS build
RUN gem install fpm:1.15.1

FROM debian:12-slim AS flags
RUN gem install --no-document bundler:2.5.11 && gem install -N rake:13.2.1
RUN gem install bundler:2.5.11 --no-rdoc --no-ri
# documentation asked for explicitly
RUN gem install --document=ri rake:13.2.1 && gem install --ri thor:1.3.1
RUN gem update --system && gem list && bundle install

FROM debian:12-slim AS gemrc
RUN echo 'gem: --no-document' > /etc/gemrc
RUN gem install bundler:2.5.11

FROM gemrc AS child
RUN gem install rake:13.2.1

FROM debian:12-slim AS samerun
RUN printf 'install: --no-document\nupdate: --no-document\n' >> ~/.gemrc && gem install bundler:2.5.11

FROM debian:12-slim AS copied
COPY gemrc /usr/local/etc/gemrc
RUN gem install bundler:2.5.11

# the official images write gem: --no-document to their gemrc
FROM ruby:3.3-slim AS official
RUN gem install bundler:2.5.11
FROM docker.io/library/ruby:3.3-alpine AS official2
RUN gem install bundler:2.5.11
FROM jruby:9.4 AS official3
RUN gem install bundler:2.5.11
FROM official AS fromofficial
RUN gem install rake:13.2.1

FROM debian:12-slim
COPY --from=build /usr/local /usr/local
COPY --from=flags /usr/local /usr/local
COPY --from=child /usr/local /usr/local
COPY --from=samerun /usr/local /usr/local
COPY --from=copied /usr/local /usr/local
COPY --from=official2 /usr/local /usr/local
COPY --from=official3 /usr/local /usr/local
COPY --from=fromofficial /usr/local /usr/local

# Microsoft's dev container images for Ruby are built FROM ruby; a tag
# that does not expand does not matter
FROM debian:12-slim
ARG VARIANT=${templateOption:imageVariant}
FROM mcr.microsoft.com/devcontainers/ruby:${VARIANT}
RUN gem install rails:7.1.3
