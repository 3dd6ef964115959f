# test: rules=DW016
FROM alpine:3.20
# dockwright ignore=DW002

# expect @-2:1 DW016 "this dockwright ignore pragma covers nothing: a blank line or the end of the file comes before the next instruction"
RUN true
# hadolint stage ignore=DL3061
RUN true
# expect @-2:1 DW016 "this hadolint stage ignore pragma covers nothing: it must stand in the comment block directly above a FROM"
# dockwright ignore=
RUN true
# expect @-2:1 DW016 "this dockwright pragma lists no rule"
# dockwright ignore=DW001
# expect @-1:1 DW016 "covers nothing"