# test: rules=DW116
# Shells started with -c expand the variables; a `$` without a name is
# not a variable; shell forms are not exec forms.
FROM alpine:3.20 AS base
RUN ["sh", "-c", "echo $HOME"]
RUN ["/bin/bash", "-euxc", "echo ${HOME}"]
RUN ["env", "-i", "A=1", "/bin/sh", "-c", "echo $A"]
RUN ["busybox", "sh", "-c", "echo $A"]
RUN ["echo", "costs $5", "$(date)", "$", "a$-b"]
RUN echo $HOME
CMD echo $HOME
HEALTHCHECK CMD curl http://localhost:$PORT/
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo $HOME"]

FROM base
CMD ["echo $PATH"]
