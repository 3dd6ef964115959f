# test: rules=DW201 fix=unsafe
FROM node:22-alpine
WORKDIR /app
COPY package.json /app/
RUN npm install
COPY . /app/
ENV NODE_ENV=production
RUN npm run build
# expect @-1:5 DW201 "'npm install' (npm)"
CMD ["npm", "start"]
