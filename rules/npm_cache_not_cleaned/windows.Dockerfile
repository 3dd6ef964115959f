# test: rules=DW322 fix=safe
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN npm install -g nodemon@3.1.0
# expect @-1:9 DW322 "'npm install' leaves its download cache"
