# test: rules=DW322 fix=unsafe
FROM node:22-slim
RUN if [ -f package-lock.json ]; then npm ci; else yarn install; fi
# fixed: RUN if [ -f package-lock.json ]; then npm ci; else yarn install; fi && npm cache clean --force
# expect @-2:43 DW322 "'npm ci'"
RUN test -d node_modules || npm install
# fixed: RUN test -d node_modules || npm install && npm cache clean --force
# expect @-2:33 DW322 "'npm install'"
