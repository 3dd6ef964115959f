# test: rules=DW202 fix=safe
FROM debian:12
RUN apt-get update
# fixed: <deleted>
# expect @-2:5 DW202 "'apt-get update' refreshes the package lists, but nothing after it in this RUN installs"
# a comment stays
RUN apt-get install -y --no-install-recommends curl
# fixed: RUN apt-get update && apt-get install -y --no-install-recommends curl
