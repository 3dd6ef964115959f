# test: rules=DW319
FROM python:3.12-slim AS build
# builder stages are checked too
RUN pip install --no-cache-dir wheel
# expect @-1:32 DW319 "package 'wheel' is not pinned: use 'wheel==<version>'"

FROM python:3.12-slim
RUN pip install --no-cache-dir flask 'flask-cors[extra]' \
# expect @-1:32 DW319 "package 'flask' is not pinned"
# expect @-2:38 DW319 "package 'flask-cors[extra]' is not pinned: use 'flask-cors[extra]==<version>'"
      "requests; python_version < '3.12'"
# expect @-1:7 DW319 "package 'requests' is not pinned"
# packages named next to a requirements file are still checked
RUN pip3 install --no-cache-dir -r requirements.txt gunicorn
# expect @-1:53 DW319 "package 'gunicorn' is not pinned"
RUN python3 -m pip install --no-cache-dir --upgrade pip setuptools==70.0.0
# expect @-1:53 DW319 "package 'pip' is not pinned"
RUN /opt/venv/bin/pip install --no-cache-dir --index-url https://pypi.example/simple numpy
# expect @-1:86 DW319 "package 'numpy' is not pinned"
# VCS URLs without a ref, also editable ones
RUN pip install --no-cache-dir git+https://github.com/psf/black.git \
# expect @-1:32 DW319 "version-control URL 'git+https://github.com/psf/black.git' names no ref"
      -e git+ssh://git@github.com/org/lib.git#egg=lib
# expect @-1:10 DW319 "version-control URL 'git+ssh://git@github.com/org/lib.git#egg=lib' names no ref"
RUN pipx install poetry && pipx install --spec git+https://github.com/org/tool.git tool
# expect @-1:18 DW319 "package 'poetry' is not pinned"
# expect @-2:48 DW319 "version-control URL 'git+https://github.com/org/tool.git' names no ref"
ONBUILD RUN pip install --no-cache-dir celery
# expect @-1:40 DW319 "package 'celery' is not pinned"
RUN ["pip", "install", "--no-cache-dir", "uvicorn"]
# expect @-1:42 DW319 "package 'uvicorn' is not pinned"
RUN <<EOF
pip install --no-cache-dir httpx
# expect @-1:28 DW319 "package 'httpx' is not pinned"
EOF
