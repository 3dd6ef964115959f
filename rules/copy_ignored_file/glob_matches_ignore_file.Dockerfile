# test: rules=DW502 fix=unsafe
FROM python:3.12-slim
# '.*' matches only the ignore file, which leaves itself out (as DW501's
# fix writes it): not reported, and no '!.*' fix (it made a second
# `lint --fix` differ from the first; found by fuzz_lint_context).
COPY .* /etc/app/
COPY app.py /app/
