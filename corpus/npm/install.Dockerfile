# test: rules=DW201 fix=unsafe
FROM node:22-alpine
WORKDIR /app
COPY . /app/
ENV NODE_ENV=production
RUN npm install && npm run build
# expect @-1:5 DW201 "'npm install' (npm)"
CMD ["npm", "start"]
