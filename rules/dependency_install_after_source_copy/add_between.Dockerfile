# test: rules=DW201 fix=unsafe
FROM ruby:3.3
WORKDIR /app
ADD . .
ARG RAILS_ENV=production
LABEL org.opencontainers.image.title=app
RUN bundle install
# expect @-1:5 DW201 "'bundle install' (bundler) runs after the ADD on line 4"
