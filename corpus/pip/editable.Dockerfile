# test: rules=DW201 fix=safe
FROM python:3.12-slim
WORKDIR /srv
COPY . /srv
RUN pip install -r requirements.txt && python -m compileall .
# expect @-1:5 DW201 "'pip install' (pip)"
RUN pip install .
CMD ["python", "-m", "svc"]
