# test: rules=DW119
# Other links, /bin/sh as the target, directories and -t are fine.
FROM debian:12
RUN ln -sf /bin/bash /usr/local/bin/sh-compat
RUN ln -s /bin/sh /usr/local/bin/mysh
RUN ln -sf /usr/bin/sh /bin/sh
RUN ln -sf -t /bin /opt/tools/bash
RUN ln -sf a b /bin/sh
RUN echo ln -sf /bin/bash /bin/sh
RUN ["ln", "-s", "-t", "/bin", "/opt/bash"]
SHELL ["/bin/bash", "-c"]
