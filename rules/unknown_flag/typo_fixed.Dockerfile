# test: rules=DW003 fix=unsafe
FROM --plaform=linux/amd64 alpine:3.20 AS build
# fixed: FROM --platform=linux/amd64 alpine:3.20 AS build
# expect @-2:6 DW003 "unknown flag: --plaform (did you mean --platform?)"
COPY --chwon=app:app src/ /app/
# fixed: COPY --chown=app:app src/ /app/
# expect @-2:6 DW003 "unknown flag: --chwon (did you mean --chown?)"
RUN --mont=type=cache,target=/root/.cache \
# fixed: RUN --mount=type=cache,target=/root/.cache \
# expect @-2:5 DW003 "did you mean --mount?"
    --network=none make
ADD --chekcsum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tgz /a.tgz
# fixed: ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tgz /a.tgz
# expect @-2:5 DW003 "did you mean --checksum?"
COPY --FROM=build /app /srv
# fixed: COPY --from=build /app /srv
# expect @-2:6 DW003 "unknown flag: --FROM (did you mean --from?)"
HEALTHCHECK --intervall=30s CMD wget -q -O- http://localhost/
# fixed: HEALTHCHECK --interval=30s CMD wget -q -O- http://localhost/
# expect @-2:13 DW003 "did you mean --interval?"
ONBUILD COPY --chmdo=644 . /src
# fixed: ONBUILD COPY --chmod=644 . /src
# expect @-2:14 DW003 "did you mean --chmod?"
