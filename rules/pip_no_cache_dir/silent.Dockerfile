# test: rules=DW318
# a builder stage: its layers never ship
FROM python:3.12-slim AS build
RUN pip install wheel==0.43.0 && pip wheel -w /wheels -r requirements.txt

FROM python:3.12-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl
RUN pip --no-cache-dir install click==8.1.7
RUN pip install click==8.1.7 --no-cache-dir
# optparse takes an unambiguous prefix of the option
RUN pip install --no-cache click==8.1.7
RUN python3 -m pip install --no-cache-dir -U pip==24.0
# an inline assignment, also behind env or sudo; any value pip accepts
# turns the cache off, "false" and "0" included
RUN PIP_NO_CACHE_DIR=1 pip install click==8.1.7
RUN env PIP_NO_CACHE_DIR=true pip install click==8.1.7
RUN PIP_NO_CACHE_DIR=false pip install click==8.1.7 && PIP_NO_CACHE_DIR=0 pip install six==1.16.0
RUN PIP_NO_CACHE_DIR=OFF pip install click==8.1.7 && PIP_NO_CACHE_DIR=$NOCACHE pip install six==1.16.0
RUN export PIP_NO_CACHE_DIR=yes && pip install click==8.1.7
# cache and tmpfs mounts on the cache
RUN --mount=type=cache,target=/root/.cache/pip pip install click==8.1.7
RUN --mount=type=cache,target=/root/.cache pip install click==8.1.7
RUN --mount=type=tmpfs,target=/home/app/.cache/pip/ pip install click==8.1.7
RUN --mount=type=cache,target=/pipcache pip install --cache-dir /pipcache click==8.1.7
RUN --mount=type=cache,target=/pipcache pip install --cache-dir=/pipcache/x click==8.1.7
# other commands and tools
RUN pip uninstall -y click && pip download click==8.1.7 && pip list
RUN pipx install black==24.4.2 && pipenv install && python -c "import pip"
RUN python3 -m venv /venv && python3 script.py -m pip install x
RUN echo pip install click

FROM python:3.12-slim AS envset
ENV PIP_NO_CACHE_DIR=1
RUN pip install click==8.1.7

FROM envset AS inherited
RUN pip install six==1.16.0

FROM python:3.12-slim AS argset
ARG PIP_NO_CACHE_DIR=on
RUN pip install click==8.1.7

FROM python:3.12-slim AS cachedir
ENV PIP_CACHE_DIR=/var/cache/pip
RUN --mount=type=cache,target=/var/cache/pip pip install click==8.1.7

FROM python:3.12-slim
COPY --from=inherited /usr/local /usr/local
COPY --from=argset /usr/local /usr/local
COPY --from=cachedir /usr/local /usr/local

# the same RUN empties the cache after the install
FROM python:3.12-slim AS purged
RUN pip install click==8.1.7 && rm -rf /root/.cache/pip
RUN pip install click==8.1.7 && rm -rf ~/.cache
RUN pip3 install click==8.1.7 && rm -rf "$HOME/.cache/pip/"*
RUN python -m pip install click==8.1.7 && python -m pip cache purge
RUN pip install --cache-dir /tmp/pc click==8.1.7 && rm -rf /tmp/pc
FROM purged
