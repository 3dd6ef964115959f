# test: rules=DW201
FROM node:22-slim
WORKDIR /srv
COPY . .
RUN npm ci
COPY web/ /web/
RUN pip install -r requirements.txt
