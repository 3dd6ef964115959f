# syntax=docker/dockerfile:1
# fixed: # syntax=docker/dockerfile:1-labs
# test: rules=DW017 fix=unsafe
FROM alpine:3.20
RUN --device=nvidia.com/gpu=all --mount=type=cache,target=/x nvidia-smi
# expect @-1:5 DW017 "RUN --device is only in the labs channel (docker/dockerfile:1.14-labs or later), but the file pins docker/dockerfile:1"
