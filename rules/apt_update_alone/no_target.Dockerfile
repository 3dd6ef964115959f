# test: rules=DW202 fix=unsafe
FROM debian:12
RUN apt-get update
# expect @-1:5 DW202 "apt-get update"
RUN pip install flask
RUN apt-get update
# expect @-1:5 DW202 "apt-get update"
RUN apt-get update && apt-get install -y curl
