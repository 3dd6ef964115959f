# test: rules=DW113 fix=unsafe
# With the build context (wildcard.context/): a wildcard matching several
# files needs a directory too; `*` matches dot files as Go's Match does.
FROM alpine:3.20
COPY src/*.txt /app
# fixed: COPY src/*.txt /app/
# expect @-2:16 DW113 "source 'src/*.txt' matches 3 files of the build context ('src/.hidden.txt', 'src/a.txt', ...)"
COPY ./conf/../src/?.txt /data
# fixed: COPY ./conf/../src/?.txt /data/
# expect @-2:26 DW113 "source './conf/../src/?.txt' matches 2 files of the build context ('src/a.txt', 'src/b.txt')"
COPY conf/*.conf /etc/app.conf
COPY *.md /README.md
COPY --from=build /src/*.txt /app
COPY ["src/[ab].txt", "/x"]
# fixed: COPY ["src/[ab].txt", "/x/"]
# expect @-2:23 DW113 "source 'src/[ab].txt' matches 2 files"
COPY nothing/*.txt /y
