# test: rules=DW401 fix=unsafe
# No fix when the base image's distro is unknown.
FROM myorg/custom-runtime:2
# expect @-1:6 DW401 "base image 'myorg/custom-runtime:2' runs as root"
CMD ["run"]
