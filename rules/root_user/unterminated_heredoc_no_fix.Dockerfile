# test: rules=DW401 fix=unsafe
FROM scratch
# expect @-1:6 DW401 "base image 'scratch' runs as root"
# The USER line would go after the RUN, inside its unterminated heredoc,
# where it switches nothing: the finding came back on every pass and the
# fixes never settled (found by fuzz_lint). No fix is offered.
RUN <<EOF
echo hi
