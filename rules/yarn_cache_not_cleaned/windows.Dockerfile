# test: rules=DW323 fix=unsafe
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
RUN yarn install
# expect @-1:10 DW323 "'yarn install' leaves the Yarn cache"
