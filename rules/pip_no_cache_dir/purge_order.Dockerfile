# test: rules=DW318 fix=safe
# Emptying the cache counts only after the install, and only the
# directory pip used.
FROM python:3.12-slim
RUN rm -rf ~/.cache && pip install click==8.1.7
# fixed: RUN rm -rf ~/.cache && pip install --no-cache-dir click==8.1.7
# expect @-2:28 DW318 "'pip install'"
RUN pip install --cache-dir /tmp/pc click==8.1.7 && rm -rf ~/.cache
# fixed: RUN pip install --no-cache-dir --cache-dir /tmp/pc click==8.1.7 && rm -rf ~/.cache
# expect @-2:9 DW318 "'pip install'"
RUN pip install click==8.1.7 && rm -rf /root/.cache/other
# fixed: RUN pip install --no-cache-dir click==8.1.7 && rm -rf /root/.cache/other
# expect @-2:9 DW318 "'pip install'"
