# test: rules=DW120
FROM debian:12
RUN apt-get update && apt-get install -y nginx vim && service nginx start
# expect @-1:55 DW120 "the RUN runs 'service', but a service started or stopped"
RUN ps aux | grep nginx; free -m
# expect @-1:5 DW120 "the RUN runs 'ps', which lists the processes"
# expect @-2:26 DW120 "the RUN runs 'free', which reports the memory"
RUN sudo /usr/bin/vim +PlugInstall +qall
# expect @-1:10 DW120 "the RUN runs 'vim', an interactive editor"
RUN echo "$(top -b -n 1)" > /tmp/top.txt \
 && sh -c 'kill -9 1 || true'
# expect @-2:13 DW120 "the RUN runs 'top'"
# expect @-2:12 DW120 "the RUN runs 'kill'"
RUN systemctl enable nginx && systemctl --no-pager restart nginx
# expect @-1:52 DW120 "the RUN runs 'systemctl restart', but systemd does not run"
RUN ["/usr/bin/ssh", "-T", "git@github.com"]
# expect @-1:6 DW120 "the RUN runs 'ssh', which opens a remote session"
RUN ["systemctl", "start", "docker"]
# expect @-1:19 DW120 "the RUN runs 'systemctl start'"
ONBUILD RUN mount -t tmpfs none /mnt
# expect @-1:13 DW120 "the RUN runs 'mount', and mounts are not kept"
RUN <<EOF
set -e
shutdown -h now
EOF
# expect @-2:1 DW120 "the RUN runs 'shutdown'"
RUN bash <<EOF
echo starting
ssh -o BatchMode=yes host true
EOF
# expect @-2:1 DW120 "the RUN runs 'ssh'"
