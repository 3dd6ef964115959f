# test: rules=DW315 fix=safe
FROM opensuse/leap:15.6
RUN zypper -n install curl
# fixed: RUN zypper -n install curl && zypper clean --all
# expect @-2:15 DW315 "'zypper install' leaves the package cache in /var/cache/zypp: end the RUN with 'zypper clean --all'"
RUN zypper clean && zypper -n in git
# fixed: RUN zypper clean && zypper -n in git && zypper clean --all
# expect @-2:31 DW315 "'zypper in'"
ONBUILD RUN zypper -n in make
# fixed: ONBUILD RUN zypper -n in make && zypper clean --all
# expect @-2:23 DW315 "'zypper in'"
