# test: rules=DW201 fix=safe
FROM python:3.12-slim
ENV POETRY_VIRTUALENVS_IN_PROJECT=1
RUN pip install --no-cache-dir poetry==1.8.3
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN poetry install --no-root --only main
COPY . .
RUN poetry run python -m compileall svc
# expect @-2:5 DW201 "'poetry install' (poetry) runs after the COPY on line 6"
CMD ["poetry", "run", "python", "-m", "svc"]
