# test: rules=DW201 fix=safe
FROM node:20
WORKDIR /usr/src/app
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile
COPY . .
RUN yarn build
# expect @-2:5 DW201 "'yarn install' (yarn) runs after the COPY on line 4"
CMD ["yarn", "start"]
