# test: rules=DW501,DW502 fix=unsafe
FROM python:3.12-slim
# DW501 excludes .idea and the new .dockerignore; '*' then copies less
# than it names, but re-including '*' would bring both back and DW501's
# fix would exclude them again: the fixes never settled. A glob that still
# copies something gets no DW502 fix.
COPY * /app/
# expect @-1:6 DW501 "COPY '*' sends a path that does not belong in an image: .idea/"
