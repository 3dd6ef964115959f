# test: rules=DW320
FROM node:22-slim
RUN npm install -g pm2
# expect @-1:20 DW320 "package 'pm2' is not pinned: use 'pm2@<version>'"
RUN npm i express lodash@4.17.21
# expect @-1:11 DW320 "package 'express' is not pinned"
RUN npm add --save-dev @types/node
# expect @-1:24 DW320 "package '@types/node' is not pinned: use '@types/node@<version>'"
RUN npm install --global npm@latest
# expect @-1:26 DW320 "package 'npm@latest' names the dist-tag 'latest', which moves: use 'npm@<version>'"
RUN npm isntall typescript@next @angular/cli@beta
# expect @-1:17 DW320 "dist-tag 'next'"
# expect @-2:33 DW320 "package '@angular/cli@beta' names the dist-tag 'beta'"
RUN npm install left-pad@* right-pad@
# expect @-1:17 DW320 "package 'left-pad@*' accepts any version: use 'left-pad@<version>'"
# expect @-2:28 DW320 "accepts any version"
RUN npm install expressjs/express git+https://github.com/npm/cli.git
# expect @-1:17 DW320 "git dependency 'expressjs/express' is not pinned: add '#<commit or tag>'"
# expect @-2:35 DW320 "git dependency 'git+https://github.com/npm/cli.git' is not pinned"
RUN npm --loglevel warn install --prefix /opt/tools --registry https://r.example.com yarn
# expect @-1:86 DW320 "package 'yarn' is not pinned"
RUN npm install my-react@npm:react \
      --no-save \
      chalk
# expect @-3:17 DW320 "package 'my-react@npm:react' is not pinned"
# expect @-2:7 DW320 "package 'chalk'"
RUN cd /app && sudo npm install -g nodemon
# expect @-1:36 DW320 "'nodemon'"
RUN ["npm", "install", "-g", "serve"]
# expect @-1:30 DW320 "package 'serve' is not pinned"
RUN sh -c 'npm install -g http-server'
# expect @-1:27 DW320 "'http-server'"
ONBUILD RUN npm install -g gulp-cli
# expect @-1:28 DW320 "'gulp-cli'"
