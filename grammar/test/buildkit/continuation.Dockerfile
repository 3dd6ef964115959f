FROM alpine
RUN echo a \
    b
RUN apt-get update && \
    # a comment line is dropped
    apt-get install -y curl

RUN echo "x" \

    y
RUN echo last \
