# test: rules=DW006 fix=unsafe
FROM nginx:1.27
CMD ['nginx', '-g', 'daemon off;']
# fixed: CMD ["nginx", "-g", "daemon off;"]
# expect @-2:6 DW006 "single quotes are not JSON: the exec form of CMD needs double quotes, else BuildKit runs it as a shell command"
ENTRYPOINT ["/docker-entrypoint.sh", "nginx"
# fixed: ENTRYPOINT ["/docker-entrypoint.sh", "nginx"]
# expect @-2:12 DW006 "the JSON array of ENTRYPOINT has no closing ']'"
RUN ["C:\Windows\system32\cmd.exe", "/c", "dir"]
# fixed: RUN ["C:\\Windows\\system32\\cmd.exe", "/c", "dir"]
# expect @-2:9 DW006 "'\W' is not a JSON escape"
SHELL ['/bin/bash', "-o", 'pipefail', "-c"]
# fixed: SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# expect @-2:8 DW006 "BuildKit refuses it: SHELL requires the arguments to be in JSON form"
COPY ['a b.txt', "/dst/"]
# fixed: COPY ["a b.txt", "/dst/"]
# expect @-2:7 DW006 "reads it as shell form and splits it on blanks"
VOLUME ["/data",]
# fixed: VOLUME ["/data"]
# expect @-2:16 DW006 "a ',' after the last element is not allowed in JSON: the array of VOLUME"
ONBUILD RUN ['make', 'install']
# fixed: ONBUILD RUN ["make", "install"]
# expect @-2:14 DW006 "single quotes are not JSON: the exec form of RUN"
CMD ['echo', "say \"hi\"", 'it"s']
# fixed: CMD ["echo", "say \"hi\"", "it\"s"]
# expect @-2:6 DW006 "single quotes"
