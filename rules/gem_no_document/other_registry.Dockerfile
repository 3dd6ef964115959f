# test: rules=DW325
# A ruby image of another registry is not the official one.
FROM ghcr.io/library/ruby:3.3
RUN gem install bundler:2.5.11
# expect @-1:9 DW325 "'gem install'"
