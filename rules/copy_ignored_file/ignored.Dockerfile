# test: rules=DW502 fix=unsafe
FROM nginx:1.27
COPY config/app.yaml /etc/app/
# expect @-1:6 DW502 "COPY source 'config/app.yaml' is excluded by .dockerignore:2 ('config'), so it is not sent and the build fails"
# Files left out below a directory the source names are the ignore file
# doing its job: only the source itself, or a parent, counts.
COPY web /usr/share/nginx/html
COPY docs /usr/share/doc/app
# expect @-1:6 DW502 "COPY source 'docs' copies less than it names: 1 path is excluded (first 'docs', by .dockerignore:5 ('docs'))"
COPY .env /etc/app/.env
# expect @-1:6 DW502 "COPY source '.env' is excluded by .dockerignore:4"
COPY . /srv
