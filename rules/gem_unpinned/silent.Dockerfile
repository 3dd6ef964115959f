# test: rules=DW324
FROM ruby:3.3-slim
ARG BUNDLER_VERSION=2.5.11
RUN gem install bundler:2.5.11 'rails:~>7.1' "rake:>= 13, < 14"
RUN gem install bundler -v 2.5.11 && gem install rails --version '~> 7.1' && gem install puma --version=6.4.2
RUN gem install -v2.5.11 bundler && gem install --no-document -v "$BUNDLER_VERSION" bundler
RUN gem install "bundler:${BUNDLER_VERSION}" $EXTRA_GEMS
# local gem files and paths
RUN gem install ./pkg/mygem-1.0.gem && gem install vendor/cache/other-2.0.gem /tmp/x.gem --local
# a dependency file names no gem
RUN gem install -g Gemfile && gem install --file Gemfile.lock
# other gem commands
RUN gem update --system && gem uninstall rake && gem list && gem env && bundle install
RUN echo gem install bundler
