# test: rules=DW502
# Exceptions re-include, other stages are not the context, `.` may be trimmed.
FROM alpine:3.20 AS build
RUN mkdir /out
FROM alpine:3.20
COPY src/a.c src/keep.o /src/
COPY --from=build /out /out
COPY . /srv
