# test: rules=DW201 fix=unsafe
FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim
WORKDIR /app
COPY pyproject.toml uv.lock /app/
RUN uv sync --locked
COPY . /app
# expect @-1:5 DW201 "'uv sync' (uv) runs after the COPY on line 4"
CMD ["uv", "run", "app.py"]
