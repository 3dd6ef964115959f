# test: rules=DW201 fix=safe
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt ./
COPY requirements/constraints.txt ./requirements/
RUN pip install --no-cache-dir -r requirements.txt -c requirements/constraints.txt
COPY . .
# expect @-1:5 DW201 "'pip install' (pip) runs after the COPY on line 4"
CMD ["python", "-m", "app"]
