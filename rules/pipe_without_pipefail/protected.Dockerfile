# test: rules=DW118
# pipefail from SHELL (also inherited from an in-file parent), from set
# in the RUN, and the exemptions.
FROM debian:12 AS base
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.com | tar -xz
ONBUILD RUN a | b

FROM base AS child
RUN a | b

FROM debian:12 AS sets
RUN set -o pipefail && curl -s https://example.com | tar -x
RUN set -eux -o pipefail; a | b
RUN set -euo pipefail; a | b
RUN echo "deb http://x stable main" | tee /etc/apt/sources.list
RUN printf '%s\n' a b | sort; yes | apt-get install x; true | cat
RUN cat <<EOF | sh
echo hi
EOF
RUN sh -o pipefail -c 'a | b'
RUN bash -c 'set -o pipefail; a | b'
RUN a || b && c
RUN <<EOF
#!/bin/bash
a | b
EOF
RUN ["sh", "-c", "a | b"]

FROM debian:12 AS euo
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
RUN a | b

FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win
SHELL ["powershell", "-Command"]
RUN Get-ChildItem | Select-Object Name

FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS nano
RUN dir C:\ | findstr Windows

FROM golang:1.22-windowsservercore-ltsc2022 AS gowin
RUN go version | findstr go

FROM nano AS nano-child
RUN type a.txt | more
