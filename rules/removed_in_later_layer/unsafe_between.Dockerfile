# test: rules=DW204 fix=safe
FROM debian:12
RUN wget -O /tmp/pkg.deb https://example.invalid/pkg.deb
RUN dpkg -i /tmp/pkg.deb
RUN rm /tmp/pkg.deb
# expect @-1:8 DW204 "(wget -O on line 3)"
RUN curl -o /tmp/a.tgz https://example.invalid/a.tgz
RUN tar -xzf /tmp/a.tgz -C /usr/local && rm /tmp/a.tgz
# expect @-1:45 DW204 "(curl -o on line 7)"
RUN curl -o /tmp/c.tgz https://example.invalid/c.tgz
RUN rm /tmp/*.tgz
# expect @-1:8 DW204 "'/tmp/*.tgz' deletes '/tmp/c.tgz', created"
