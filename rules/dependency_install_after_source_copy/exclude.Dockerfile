# test: rules=DW201 fix=unsafe
FROM node:22-slim
WORKDIR /srv
COPY --exclude=docs . .
RUN npm ci
# expect @-1:5 DW201 "'npm ci' (npm)"
