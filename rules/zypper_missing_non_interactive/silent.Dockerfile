# test: rules=DW314
FROM opensuse/leap:15.6
RUN zypper -n install curl
RUN zypper --non-interactive in curl
RUN zypper install -y curl
RUN zypper in --no-confirm curl
RUN zypper -qn update
RUN zypper refresh
RUN zypper clean --all
RUN zypper search curl
