# test: rules=DW123
# Every type, valid values first, then invalid ones in a second stage.
FROM alpine:3.20 AS good
LABEL org.opencontainers.image.title="dockwright" \
      org.opencontainers.image.source=https://example.com/dockwright.git \
      org.opencontainers.image.version=1.2.3-rc.1+build.007 \
      org.opencontainers.image.revision=2dbfae9 \
      org.opencontainers.image.created=2024-02-29T12:30:00.5+01:00 \
      org.opencontainers.image.licenses="(MIT OR Apache-2.0) AND GPL-2.0-or-later WITH Classpath-exception-2.0" \
      org.opencontainers.image.authors="dev.team+ci@example.com"

FROM good AS bad
LABEL org.opencontainers.image.title=""
# expect @-1:38 DW123 "label 'org.opencontainers.image.title' is empty, but the label schema requires a text"
LABEL org.opencontainers.image.source=example.com/x
# expect @-1:39 DW123 "label 'org.opencontainers.image.source' is not a URL: 'example.com/x'"
LABEL org.opencontainers.image.version=v1.02.3
# expect @-1:40 DW123 "label 'org.opencontainers.image.version' is not a semantic version: 'v1.02.3'"
LABEL org.opencontainers.image.revision=main
# expect @-1:41 DW123 "label 'org.opencontainers.image.revision' is not a git commit hash: 'main'"
LABEL org.opencontainers.image.created="2023-02-29 10:00:00Z"
# expect @-1:40 DW123 "label 'org.opencontainers.image.created' is not an RFC 3339 date and time"
LABEL org.opencontainers.image.licenses="MIT OR NotALicense"
# expect @-1:41 DW123 "label 'org.opencontainers.image.licenses' is not an SPDX license expression: 'MIT OR NotALicense'"
LABEL org.opencontainers.image.authors="Dev Team <dev@example.com>"
# expect @-1:40 DW123 "label 'org.opencontainers.image.authors' is not an email address"
