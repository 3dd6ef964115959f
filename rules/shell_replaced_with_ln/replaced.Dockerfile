# test: rules=DW119
FROM debian:12
RUN ln -sf /bin/bash /bin/sh
# expect @-1:22 DW119 "this 'ln' makes /bin/sh a link to '/bin/bash', which changes the shell"
RUN apt-get install -y zsh \
 && ln -s -f zsh /usr/bin/sh
# expect @-1:18 DW119 "makes /usr/bin/sh a link to 'zsh'"
RUN ["ln", "-sfn", "/bin/busybox", "/bin/sh"]
# expect @-1:36 DW119 "makes /bin/sh a link to '/bin/busybox'"
ONBUILD RUN sudo ln -sf /bin/dash /bin/sh
# expect @-1:35 DW119 "a link to '/bin/dash'"
RUN sh -c 'ln -sf /bin/ksh /bin/sh'
# expect @-1:28 DW119 "a link to '/bin/ksh'"
