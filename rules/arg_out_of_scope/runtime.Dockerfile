# test: rules=DW102
ARG GLOBAL=1
FROM alpine:3.20
ARG PORT=8080
ARG MODE=prod
ENV MODE=$MODE
CMD serve --port $PORT --mode $MODE
# expect @-1:18 DW102 "'PORT' is an ARG, which does not exist when the container runs CMD; set it with ENV to keep its value in the image"
ENTRYPOINT exec app --global "$GLOBAL"
# expect @-1:31 DW102 "'GLOBAL' is a global ARG, which does not exist when the container runs ENTRYPOINT"
HEALTHCHECK --interval=30s CMD wget -q http://localhost:${PORT}/health || exit 1
# expect @-1:57 DW102 "'PORT' is an ARG, which does not exist when the container runs HEALTHCHECK"
CMD ["serve", "--port", "$PORT"]
ENV LATER=1
ARG LATER
CMD echo $LATER $HOME $MODE
