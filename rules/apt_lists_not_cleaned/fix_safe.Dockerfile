# test: rules=DW301 fix=safe
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl
# fixed: RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# expect @-2:31 DW301 "'apt-get install' leaves /var/lib/apt/lists in the layer"
RUN apt-get update \
 && sudo apt-get install -y --no-install-recommends \
      git \
      wget
# fixed:       wget && rm -rf /var/lib/apt/lists/*
# expect @-4:18 DW301 "'apt-get install' leaves"
# apt-get clean removes the .deb files, not the lists
RUN apt-get update && apt-get install -y --no-install-recommends gnupg && apt-get clean
# fixed: RUN apt-get update && apt-get install -y --no-install-recommends gnupg && apt-get clean && rm -rf /var/lib/apt/lists/*
# expect @-2:31 DW301 "'apt-get install'"
# a removal before the last apt command does not count
RUN rm -rf /var/lib/apt/lists/* && apt update
# fixed: RUN rm -rf /var/lib/apt/lists/* && apt update && rm -rf /var/lib/apt/lists/*
# expect @-2:40 DW301 "'apt update' leaves"
RUN apt-get update; aptitude install -y vim # a comment
# fixed: RUN apt-get update; aptitude install -y vim && rm -rf /var/lib/apt/lists/* # a comment
# expect @-2:30 DW301 "'aptitude install'"
# removal in a later RUN does not help the earlier layer
RUN rm -rf /var/lib/apt/lists/*
RUN <<EOF
apt-get update
apt-get install -y --no-install-recommends curl
EOF
# fixed: rm -rf /var/lib/apt/lists/*
# fixed: EOF
# expect @-4:9 DW301 "'apt-get install'"
# a heredoc fed to bash: no fix offered
RUN <<-EOT bash
	apt-get update
EOT
# expect @-2:10 DW301 "'apt-get update'"
