# test: rules=DW005
# Not valid JSON as a whole: BuildKit runs these as shell form, no error.
FROM alpine:3.20
RUN ["echo", 1
RUN ["echo", 1] && true
RUN [1, 2
RUN [ -f /etc/os-release ] && cat /etc/os-release
CMD ["echo", "only strings"]
COPY ["a b", "/c d/"]
ENTRYPOINT []
