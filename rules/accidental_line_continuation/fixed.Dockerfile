# test: rules=DW008 fix=unsafe
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
WORKDIR C:\app\
# fixed: WORKDIR C:\app\\
RUN dir
# expect @-3:15 DW008 "the escape character at the end of this line joins line 5 ('RUN dir') to this WORKDIR, so RUN does not start an instruction"
COPY app.exe C:\
# fixed: COPY app.exe C:\\
CMD ["app.exe"]
# expect @-3:16 DW008 "to this COPY, so CMD does not start"
ENV A=1 \
# fixed: ENV A=1
USER app
# expect @-3:9 DW008 "joins line 13 ('USER app') to this ENV"
RUN make \
# fixed: RUN make

# a comment and a blank line between
EXPOSE 8080
# expect @-5:10 DW008 "joins line 19 ('EXPOSE 8080') to this RUN"
