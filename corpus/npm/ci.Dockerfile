# test: rules=DW201 fix=safe
FROM node:22-slim
WORKDIR /srv
COPY --chown=node:node . .
RUN npm ci --omit=dev
# expect @-1:5 DW201 "'npm ci' (npm) runs after the COPY on line 4 copied the sources"
USER node
CMD ["node", "server.js"]
