# test: rules=DW123
# Valid values of every type in their less common shapes; variables with
# a known value are judged, those without are not.
FROM alpine:3.20
ARG REV
ARG VERSION=0.0.0-dev
LABEL u1=mailto:dev@example.com u2="https://example.com/a%20b?q=1#frag" u3=urn:isbn:0451450523 \
      s1=0.0.0 s2=10.20.30-alpha.beta.1+sha.5114f85 s3=$VERSION \
      h1=0123456789abcdef0123456789ABCDEF01234567 h2=$REV \
      d1=1985-04-12T23:20:50.52Z d2=1990-12-31t23:59:60z d3=2000-02-29T00:00:00-08:00 \
      l1=MIT l2="LicenseRef-Proprietary OR (gpl-2.0-only WITH linux-syscall-note)" l3=GPL-2.0+ \
      e1=a.b-c@example.co.uk e2="\"john doe\"@example.com" e3=user@[192.168.0.1]
