# test: rules=DW314 fix=safe
FROM opensuse/leap:15.6
RUN zypper install curl && zypper clean --all
# fixed: RUN zypper --non-interactive install curl && zypper clean --all
# expect @-2:12 DW314 "'zypper install' without --non-interactive: the build cannot answer the prompt"
RUN zypper refresh && zypper in git && zypper rm vim
# fixed: RUN zypper refresh && zypper --non-interactive in git && zypper --non-interactive rm vim
# expect @-2:30 DW314 "'zypper in'"
# expect @-3:47 DW314 "'zypper rm'"
RUN zypper up; zypper patch; zypper --gpg-auto-import-keys dup
# fixed: RUN zypper --non-interactive up; zypper --non-interactive patch; zypper --non-interactive --gpg-auto-import-keys dup
# expect @-2:12 DW314 "'zypper up'"
# expect @-3:23 DW314 "'zypper patch'"
# expect @-4:60 DW314 "'zypper dup'"
ONBUILD RUN zypper install -n git
# fixed: ONBUILD RUN zypper --non-interactive install -n git
# expect @-2:20 DW314 "'zypper install'"
