# test: rules=DW319
FROM python:3.12-slim
# every form of specifier
RUN pip install --no-cache-dir flask==3.0.3 'django>=4.2,<5' "attrs ~= 23.2" six!=1.15 \
      'typing-extensions===4.12.2' 'rich<14' 'click>8' 'idna<=3.7' 'old-style (>=1.0)'
RUN pip install --no-cache-dir 'flask[async]==3.0.3' "requests[socks] >= 2.31; python_version >= '3.8'"
# direct references
RUN pip install --no-cache-dir "mylib @ https://example.com/mylib-1.0.tar.gz" other@file:///wheels/other.whl
RUN pip install --no-cache-dir thing @ https://example.com/thing-2.0.zip
# requirements and constraints files
RUN pip install --no-cache-dir -r requirements.txt --requirement=dev.txt
RUN pip install --no-cache-dir -c constraints.txt numpy pandas
RUN pip install --no-cache-dir --constraint constraints.txt scipy
# local paths, archives, URLs, VCS URLs with a ref
RUN pip install --no-cache-dir . ./lib ../other /wheels/app.whl dist/app-1.0.tar.gz app-1.0-py3-none-any.whl
RUN pip install --no-cache-dir -e . --editable=./plugins
RUN pip install --no-cache-dir https://example.com/pkg.tar.gz git+https://github.com/psf/black.git@24.4.2
RUN pip install --no-cache-dir "git+https://github.com/org/lib.git@0123abcd#egg=lib" git+git@github.com:org/x.git@v1
RUN pip install --no-cache-dir -e git+https://github.com/org/lib.git@v2#egg=lib
# values from variables count as pinned
ARG FLASK_VERSION=3.0.3
RUN pip install --no-cache-dir "flask==${FLASK_VERSION}" $EXTRA_PACKAGES "$(cat pkgs.txt)"
RUN pipx install black==24.4.2 && pipx install --spec 'ruff==0.4.4' ruff
# other commands
RUN pip uninstall -y flask && pip download flask && pip show flask && pip freeze
RUN pipenv install && poetry install && python -c "import pip" && echo pip install flask

FROM python:3.12-slim AS constrained
ENV PIP_CONSTRAINT=/constraints.txt
RUN pip install --no-cache-dir numpy
