# test: rules=DW201 fix=safe
FROM node:22-alpine
RUN corepack enable
WORKDIR /app
COPY --link --chown=1000:1000 package.json pnpm-lock.yaml .npmrc ./
RUN pnpm install --frozen-lockfile
COPY --link --chown=1000:1000 . .
RUN pnpm build
# expect @-1:5 DW201 "'pnpm install' (pnpm) runs after the COPY on line 5"
CMD ["node", "dist/index.js"]
