# test: rules=DW102
ARG VERSION=1
FROM alpine:3.20
RUN <<EOF
echo $VERSION
EOF
# expect @-2:6 DW102 "'VERSION' is a global ARG"
RUN bash <<'EOF'
set -e
echo "${VERSION}"
EOF
# expect @-2:7 DW102 "'VERSION' is a global ARG"
RUN cat <<EOF > /etc/version
$VERSION
EOF
# expect @-2:1 DW102 "'VERSION' is a global ARG"
RUN cat <<'EOF' > /etc/literal
$VERSION
EOF
RUN python3 <<'EOF'
print("$VERSION")
EOF
