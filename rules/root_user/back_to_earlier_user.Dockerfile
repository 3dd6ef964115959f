# test: rules=DW401 fix=unsafe
FROM node:20
RUN useradd -m web
USER web
COPY app /app
USER 0:0
RUN chown -R web /app
# fixed: RUN chown -R web /app
# fixed: USER web
# expect @-4:6 DW401 "its last USER is '0:0'"
CMD ["node", "/app/index.js"]
