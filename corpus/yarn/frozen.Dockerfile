# test: rules=DW201 fix=safe
FROM node:20
WORKDIR /usr/src/app
COPY . .
RUN yarn install --frozen-lockfile \
 && yarn build
# expect @-2:5 DW201 "'yarn install' (yarn) runs after the COPY on line 4"
CMD ["yarn", "start"]
