# test: rules=DW325 fix=safe
FROM debian:12-slim
RUN gem install bundler:2.5.11
# fixed: RUN gem install --no-document bundler:2.5.11
# expect @-2:9 DW325 "'gem install' without --no-document builds ri and rdoc documentation into the layer"
# other options stay; --no-ri alone still builds rdoc
RUN gem install -V rake:13.2.1 --no-ri && gem i json:2.7.2
# fixed: RUN gem install --no-document -V rake:13.2.1 --no-ri && gem i --no-document json:2.7.2
# expect @-2:9 DW325 "'gem install'"
# expect @-3:47 DW325 "'gem install'"
RUN apt-get update && apt-get install -y ruby \
 && /usr/bin/gem install \
# fixed:  && /usr/bin/gem install --no-document \
# expect @-2:18 DW325 "'gem install'"
      puma:6.4.2
RUN sh -c 'gem install rails:7.1.3'
# fixed: RUN sh -c 'gem install --no-document rails:7.1.3'
# expect @-2:16 DW325 "'gem install'"
ONBUILD RUN gem install foreman:0.88.1
# fixed: ONBUILD RUN gem install --no-document foreman:0.88.1
# expect @-2:17 DW325 "'gem install'"
RUN <<EOF
gem install sass:3.7.4
# fixed: gem install --no-document sass:3.7.4
# expect @-2:5 DW325 "'gem install'"
EOF
# a gemrc written after the install comes too late
RUN gem install thor:1.3.1 && echo 'gem: --no-document' > /root/.gemrc
# fixed: RUN gem install --no-document thor:1.3.1 && echo 'gem: --no-document' > /root/.gemrc
# expect @-2:9 DW325 "'gem install'"
