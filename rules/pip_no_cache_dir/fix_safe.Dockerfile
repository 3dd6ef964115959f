# test: rules=DW318 fix=safe
FROM python:3.12-slim
RUN pip install flask==3.0.3
# fixed: RUN pip install --no-cache-dir flask==3.0.3
# expect @-2:9 DW318 "'pip install' without --no-cache-dir keeps pip's download cache in the layer"
# other flags stay where they are
RUN pip3 install -U --user -r requirements.txt
# fixed: RUN pip3 install --no-cache-dir -U --user -r requirements.txt
# expect @-2:10 DW318 "'pip3 install' without --no-cache-dir"
RUN python -m pip install --upgrade pip==24.0 \
# fixed: RUN python -m pip install --no-cache-dir --upgrade pip==24.0 \
# expect @-2:19 DW318 "'python -m pip install'"
 && python3.11 -m pip install six==1.16.0
# fixed:  && python3.11 -m pip install --no-cache-dir six==1.16.0
# expect @-2:23 DW318 "'python3.11 -m pip install'"
# a virtual environment's pip, a versioned pip, a global flag before install
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --prefer-binary numpy==2.0.0
# fixed: RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir --prefer-binary numpy==2.0.0
# expect @-2:52 DW318 "'pip install'"
RUN pip3.11 --disable-pip-version-check install attrs==23.2.0 && pip-3.8 install six==1.16.0
# fixed: RUN pip3.11 --disable-pip-version-check install --no-cache-dir attrs==23.2.0 && pip-3.8 install --no-cache-dir six==1.16.0
# expect @-2:41 DW318 "'pip3.11 install'"
# expect @-3:74 DW318 "'pip-3.8 install'"
# python options before -m, sudo, sh -c
RUN python3 -B -m pip install rich==13.7.1 && sudo pip install click==8.1.7
# fixed: RUN python3 -B -m pip install --no-cache-dir rich==13.7.1 && sudo pip install --no-cache-dir click==8.1.7
# expect @-2:23 DW318 "'python3 -m pip install'"
# expect @-3:56 DW318 "'pip install'"
RUN sh -c 'pip install click==8.1.7'
# fixed: RUN sh -c 'pip install --no-cache-dir click==8.1.7'
# expect @-2:16 DW318 "'pip install'"
# an inline assignment of another variable does not count, nor does a
# PIP_NO_CACHE_DIR value pip refuses
RUN PIP_DEFAULT_TIMEOUT=100 pip install click==8.1.7 && PIP_NO_CACHE_DIR=maybe pip install six==1.16.0
# fixed: RUN PIP_DEFAULT_TIMEOUT=100 pip install --no-cache-dir click==8.1.7 && PIP_NO_CACHE_DIR=maybe pip install --no-cache-dir six==1.16.0
# expect @-2:33 DW318 "'pip install'"
# expect @-3:84 DW318 "'pip install'"
# a cache mount elsewhere does not hold pip's cache
RUN --mount=type=cache,target=/root/.npm pip install click==8.1.7
# fixed: RUN --mount=type=cache,target=/root/.npm pip install --no-cache-dir click==8.1.7
# expect @-2:46 DW318 "'pip install'"
# an export after the install comes too late
RUN pip install click==8.1.7 && export PIP_NO_CACHE_DIR=1
# fixed: RUN pip install --no-cache-dir click==8.1.7 && export PIP_NO_CACHE_DIR=1
# expect @-2:9 DW318 "'pip install'"
ONBUILD RUN pip install -r requirements.txt
# fixed: ONBUILD RUN pip install --no-cache-dir -r requirements.txt
# expect @-2:17 DW318 "'pip install'"
RUN <<EOF
set -e
pip install click==8.1.7
# fixed: pip install --no-cache-dir click==8.1.7
# expect @-2:5 DW318 "'pip install'"
EOF
