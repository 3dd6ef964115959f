# syntax=docker/dockerfile:1
FROM alpine
RUN <<EOF
echo hi
EOF
COPY <<a.txt <<b.txt /dir/
A
a.txt
B
b.txt
RUN cat <<'X' > /f && echo done
$HOME
X
RUN <<-EOT sh
	echo tabbed
	EOT
