# test: rules=DW401 fix=unsafe
FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4
# fixed: FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4
# fixed: RUN { command -v useradd >/dev/null 2>&1 || dnf install -y shadow-utils || microdnf install -y shadow-utils || yum install -y shadow-utils; } && groupadd --system --gid 10001 app && useradd --system --no-log-init --uid 10001 --gid app --no-create-home app
# expect @-3:6 DW401 "base image 'registry.access.redhat.com/ubi9/ubi-minimal:9.4' runs as root"
COPY app /app
# fixed: COPY app /app
# fixed: USER 10001:10001
CMD ["/app"]
