# test: rules=DW402
# A value matching a secrets.allow pattern (see allow_list.dockwright.yaml)
# is not reported; other values still are.
FROM alpine:3.20
ENV GITHUB_TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5
ENV OTHER_TOKEN=ghp_Qw3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zB7
# expect @-1:17 DW402 "hardcoded GitHub token 'ghp_…'"
