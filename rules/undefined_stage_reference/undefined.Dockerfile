# test: rules=DW109
FROM golang:1.22 AS build
RUN go build -o /app ./cmd/app
FROM alpine:3.20 AS final
COPY --from=biuld /app /app
# expect @-1:13 DW109 "COPY --from=biuld names no stage of this file"
COPY --from=2 /app /app2
# expect @-1:13 DW109 "COPY --from=2 refers to stage 2 at line 15, which comes after this one"
COPY --from=7 /x /x
# expect @-1:13 DW109 "COPY --from=7: there is no stage 7 (the file has 3 stages)"
COPY --from=later /x /y
# expect @-1:13 DW109 "COPY --from=later refers to stage 'later', which is defined only further down (line 15)"
RUN --mount=type=bind,from=nosuch,target=/src true
# expect @-1:28 DW109 "RUN --mount from=nosuch names no stage of this file"
FROM alpine:3.20 AS Later
RUN --mount=type=cache,target=/root/.cache --mount=from=alpine,source=/x,target=/y true
# expect @-1:57 DW109 "RUN --mount from=alpine names no stage of this file; an image reference needs a tag, digest or registry (e.g. 'alpine:<tag>')"
