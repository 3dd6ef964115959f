# test: rules=DW502 fix=unsafe
FROM nginx:1.27
COPY config/app.yaml /etc/app/
# expect @-1:6 DW502 "COPY source 'config/app.yaml' is excluded by .dockerignore:2 ('config'), so it is not sent and the build fails"
COPY web /usr/share/nginx/html
# expect @-1:6 DW502 "COPY source 'web' copies less than it names: 1 path is excluded (first 'web/debug.log', by .dockerignore:3 ('web/*.log'))"
COPY .env /etc/app/.env
# expect @-1:6 DW502 "COPY source '.env' is excluded by .dockerignore:4"
COPY . /srv
