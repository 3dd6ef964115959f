# test: rules=DW325
# Only the official images are known to configure RubyGems.
FROM bitnami/ruby:3.3
RUN gem install bundler:2.5.11
# expect @-1:9 DW325 "'gem install'"
