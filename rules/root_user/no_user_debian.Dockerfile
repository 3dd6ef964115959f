# test: rules=DW401 fix=unsafe
FROM python:3.12-slim
# fixed: FROM python:3.12-slim
# fixed: RUN groupadd --system --gid 10001 app && useradd --system --no-log-init --uid 10001 --gid app --no-create-home app
# expect @-3:6 DW401 "the target stage runs as root: no USER is set and base image 'python:3.12-slim' runs as root"
WORKDIR /app
COPY . .
# fixed: COPY . .
# fixed: USER 10001:10001
CMD ["python", "-m", "app"]
