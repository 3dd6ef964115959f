# test: rules=DW120
# The names as arguments, other commands and similar names are fine.
FROM debian:12
RUN apt-get install -y vim procps openssh-client && which ps && command -v top
RUN echo kill && printf '%s\n' service systemctl
RUN systemctl enable nginx && systemctl daemon-reload
RUN ssh-keygen -A && ssh-keyscan github.com >> /etc/ssh/ssh_known_hosts
RUN ["apt-get", "install", "-y", "vim"]
RUN ["systemctl", "enable", "nginx"]
CMD ["top"]
ENTRYPOINT service nginx start
RUN cat <<EOF > /usr/local/bin/start
#!/bin/sh
service nginx start
EOF
RUN <<EOF
#!/usr/bin/env python3
import os; os.system("ps")
EOF
RUN TERM=xterm browsh & \
    pid=$!; sleep 10; kill $pid || true
