# test: rules=DW324
FROM ruby:3.3-slim AS build
RUN gem install bundler
# expect @-1:17 DW324 "gem 'bundler' is not pinned: use 'bundler:<version>' or -v <version>"
RUN gem install --no-document rake rails:7.1.3 \
# expect @-1:31 DW324 "gem 'rake' is not pinned"
      puma
# expect @-1:7 DW324 "gem 'puma' is not pinned"
RUN gem install -N --source https://rubygems.org/ -i /gems nokogiri && gem i json
# expect @-1:60 DW324 "gem 'nokogiri' is not pinned"
# expect @-2:78 DW324 "gem 'json' is not pinned"
RUN sh -c 'gem install rubocop'
# expect @-1:24 DW324 "gem 'rubocop' is not pinned"
ONBUILD RUN /usr/local/bin/gem install foreman
# expect @-1:40 DW324 "gem 'foreman' is not pinned"
RUN ["gem", "install", "sass"]
# expect @-1:24 DW324 "gem 'sass' is not pinned"
