# test: rules=DW116 fix=unsafe
FROM python:3.12-slim
ENV PORT=8000
CMD ["gunicorn", "--bind", "0.0.0.0:$PORT", "app:app"]
# fixed: CMD ["/bin/sh", "-c", "exec gunicorn --bind \"0.0.0.0:$PORT\" app:app"]
# expect @-2:37 DW116 "exec-form CMD passes '$PORT' to the program as written: no shell runs to expand it"
ENTRYPOINT ["/app/run", "--home=${APP_HOME}", "--user", "$USER", "it's $5"]
# fixed: ENTRYPOINT ["/bin/sh", "-c", "exec /app/run \"--home=${APP_HOME}\" --user \"$USER\" 'it'\\''s $5'"]
# expect @-2:33 DW116 "exec-form ENTRYPOINT passes '${APP_HOME}' and 1 more variables"
RUN ["echo", "$HOME is \"home\" `x` \\ $(pwd)"]
# fixed: RUN ["/bin/sh", "-c", "exec echo \"$HOME is \\\"home\\\" \\`x\\` \\\\ \\$(pwd)\""]
# expect @-2:15 DW116 "exec-form RUN passes '$HOME'"
HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost:$PORT/health"]
# fixed: HEALTHCHECK --interval=30s CMD ["/bin/sh", "-c", "exec curl -f \"http://localhost:$PORT/health\""]
# expect @-2:65 DW116 "exec-form HEALTHCHECK passes '$PORT'"
ONBUILD RUN ["make", "PREFIX=$PREFIX"]
# fixed: ONBUILD RUN ["/bin/sh", "-c", "exec make \"PREFIX=$PREFIX\""]
# expect @-2:30 DW116 "exec-form RUN passes '$PREFIX'"
