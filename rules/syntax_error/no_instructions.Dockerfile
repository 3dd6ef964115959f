# test: rules=DW001
# expect @-1:1 DW001 "file with no instructions"
# Only comments: BuildKit refuses the file.
