# test: rules=DW123
FROM alpine:3.20
ARG VERSION=1.2
LABEL u1="http://example.com/a b" u2=:nothing
# expect @-1:10 DW123 "label 'u1' is not a URL"
# expect @-2:38 DW123 "label 'u2' is not a URL"
LABEL s1=$VERSION s2=1.2.3-01
# expect @-1:10 DW123 "label 's1' is not a semantic version: '1.2'"
# expect @-2:22 DW123 "label 's2' is not a semantic version: '1.2.3-01'"
LABEL h1=abc12
# expect @-1:10 DW123 "label 'h1' is not a git commit hash: 'abc12'"
LABEL d1=2024-13-01T00:00:00Z d2=2024-01-01T00:00:00
# expect @-1:10 DW123 "label 'd1' is not an RFC 3339 date and time"
# expect @-2:34 DW123 "label 'd2' is not an RFC 3339 date and time"
LABEL l1="MIT AND" l2="MIT WITH Nonsense-exception"
# expect @-1:10 DW123 "label 'l1' is not an SPDX license expression"
# expect @-2:23 DW123 "label 'l2' is not an SPDX license expression"
LABEL e1=user@ e2=a..b@example.com
# expect @-1:10 DW123 "label 'e1' is not an email address"
# expect @-2:19 DW123 "label 'e2' is not an email address"
