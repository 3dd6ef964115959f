# test: rules=DW118
FROM myorg/base:1 AS base
RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /opt
# expect @-1:45 DW118 "pipe without pipefail: a failure of 'curl' before '|' does not fail the build"
RUN set -e; wget -qO- https://example.com/key \
      | gpg --dearmor > /usr/share/keyrings/x.gpg
# expect @-1:7 DW118 "a failure of 'wget' before '|'"
RUN x="$(curl -s https://example.com | sha256sum)"
# expect @-1:38 DW118 "a failure of 'curl'"
RUN grep -v '^#' list.txt |& sort
# expect @-1:27 DW118 "a failure of 'grep'"
RUN sh -c 'curl -s https://example.com | sh'
# expect @-1:40 DW118 "pipe without pipefail in a shell started by the RUN: a failure of 'curl' before '|' is lost"
ONBUILD RUN find . -name '*.o' | xargs rm -f
# expect @-1:32 DW118 "a failure of 'find'"
RUN bash <<EOF
set -e
curl -s https://example.com/x | tar -x
EOF
# expect @-2:31 DW118 "in a shell started by the RUN: a failure of 'curl'"
RUN <<EOF
ls /opt | wc -l
EOF
# expect @-2:9 DW118 "a failure of 'ls'"
RUN set -o pipefail && a | b; (c | d)
RUN (set -o pipefail; a | b); c | d
# expect @-1:33 DW118 "a failure of 'c'"

FROM base
SHELL ["/bin/bash", "-c"]
RUN a | b
# expect @-1:7 DW118 "a failure of 'a'"
RUN { make; make test; } | tee build.log
# expect @-1:26 DW118 "a failure of the commands before '|'"
