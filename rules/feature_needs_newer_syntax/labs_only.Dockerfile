# syntax=docker/dockerfile:1
# fixed: # syntax=docker/dockerfile:1-labs
# test: rules=DW017 fix=unsafe
FROM alpine:3.20
RUN --device=nvidia.com/gpu=all --mount=type=cache,target=/x nvidia-smi
# expect @-1:5 DW017 "the pinned docker/dockerfile:1 lacks RUN --device, which only the labs channel has (docker/dockerfile:1.14-labs or later)"
