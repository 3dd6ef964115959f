# test: rules=DW005 fix=unsafe
FROM python:3.12-slim
CMD ["python", "-m", "http.server", 8000]
# fixed: CMD ["python", "-m", "http.server", "8000"]
# expect @-2:37 DW005 "arrays must be comprised of strings only: the number 8000 in the exec form of CMD"
ENTRYPOINT ["app", "--verbose", true, "--level", -1.5e3]
# fixed: ENTRYPOINT ["app", "--verbose", "true", "--level", "-1.5e3"]
# expect @-2:33 DW005 "the boolean true in the exec form of ENTRYPOINT (and 1 more)"
RUN ["sleep", \
    10]
# fixed:     "10"]
# expect @-2:5 DW005 "the number 10"
ONBUILD RUN ["sleep", 1]
# fixed: ONBUILD RUN ["sleep", "1"]
# expect @-2:23 DW005 "the number 1 in the exec form of RUN"
HEALTHCHECK CMD ["curl", "-f", 80]
# fixed: HEALTHCHECK CMD ["curl", "-f", "80"]
# expect @-2:32 DW005 "in the exec form of HEALTHCHECK"
