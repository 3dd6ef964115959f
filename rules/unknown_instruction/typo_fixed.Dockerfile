# test: rules=DW002 fix=unsafe
FROM alpine:3.20
RUNN echo hello
# fixed: RUN echo hello
# expect @-2:1 DW002 "unknown instruction 'RUNN' (did you mean 'RUN'?)"
FORM scratch AS other
# fixed: FROM scratch AS other
# expect @-2:1 DW002 "did you mean 'FROM'?"
workdr /app
# fixed: workdir /app
# expect @-2:1 DW002 "unknown instruction 'workdr' (did you mean 'workdir'?)"
HEALTHCHEK CMD true
# fixed: HEALTHCHECK CMD true
# expect @-2:1 DW002 "did you mean 'HEALTHCHECK'?"
Entrypont ["app"]
# fixed: ENTRYPOINT ["app"]
# expect @-2:1 DW002 "did you mean 'ENTRYPOINT'?"
RUN["ls", "-l"]
# fixed: RUN ["ls", "-l"]
# expect @-2:1 DW002 "(a blank is missing before '[')"
ONBUILD COPPY . /src
# fixed: ONBUILD COPY . /src
# expect @-2:9 DW002 "did you mean 'COPY'?"
