# test: rules=DW303 fix=safe
# An exec-form RUN is one command: reported, but no fix edits its JSON.
FROM debian:12
RUN ["apt-get", "install", "curl"]
# expect @-1:17 DW303 "'apt-get install' without -y"
RUN ["apt-get", "install", "-y", "curl"]
