# test: rules=DW201 fix=safe
FROM ruby:3.3-slim
WORKDIR /app
COPY Gemfile Gemfile.lock ./
RUN bundle install --jobs 4
COPY . ./
RUN bundle exec rake assets:precompile
# expect @-1:5 DW201 "'bundle install' (bundler) runs after the COPY on line 4"
CMD ["bundle", "exec", "puma"]
