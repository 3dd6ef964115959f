# test: rules=DW004
FROM alpine:3.20
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d local.tar /x/
# expect @-1:5 DW004 "--checksum needs an HTTP(S) or git source: 'local.tar' is a local path"
ADD --checksum=md5:abc https://example.com/a.tgz /a.tgz
# expect @-1:16 DW004 "invalid --checksum 'md5:abc' for an HTTP source"
ADD --checksum=sha256:24454F830CDB571E2C4AD15481119C43B3CAFD48DD869A9B2945D1036D1DC68D https://example.com/a.tgz /a.tgz
# expect @-1:16 DW004 "expected sha256: and 64 lowercase hex digits"
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a https://example.com/b /x/
# expect @-1:5 DW004 "--checksum needs exactly one source, not 2"
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tgz /a.tgz
ADD --checksum=v0.12.0 https://github.com/moby/buildkit.git#v0.12.0 /bk
ADD --checksum=$SUM https://example.com/a.tgz /a.tgz
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d ["https://example.com/b.tgz", "/b.tgz"]
