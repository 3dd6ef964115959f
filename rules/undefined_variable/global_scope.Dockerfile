# test: rules=DW101 fix=unsafe
# Global ARG defaults see the global ARGs before them (pairs of one ARG
# too) and the automatic platform ARGs, nothing else.
ARG BASE=alpine TAG=3.20 IMAGE=${BASE}:${TAG}
ARG PLATFORM=$TARGETPLATFORM
ARG FULL=$IMAGES
# fixed: ARG FULL=$IMAGE
# expect @-2:10 DW101 "variable 'IMAGES' is not defined (did you mean 'IMAGE'?)"
ARG OTHER=$NOTHING_LIKE_IT
# expect @-1:11 DW101 "variable 'NOTHING_LIKE_IT' is not defined: only the global ARGs before it and the automatic platform ARGs are visible here"
FROM $IMAGE
