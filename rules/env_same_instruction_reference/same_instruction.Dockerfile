# test: rules=DW117 fix=unsafe
FROM alpine:3.20
ENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin
# expect @-1:31 DW117 "'$APP_HOME' does not see the APP_HOME set earlier in this ENV"
  env A=1 B=2 C="${A}-${B}"
# expect @-1:18 DW117 "'${A}' does not see the A set earlier"
# expect @-2:23 DW117 "'${B}' does not see the B set earlier"
ENV X=1 Y=${X:-0} Z=$Y
# expect @-1:11 DW117 "'${X:-0}' does not see the X set earlier"
# expect @-2:21 DW117 "'$Y' does not see the Y set earlier"
ENV PATH=/opt/bin:$PATH \
    LD=$PATH
# expect @-1:8 DW117 "'$PATH' does not see the PATH set earlier"
