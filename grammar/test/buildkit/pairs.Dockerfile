FROM alpine
ENV a="x y" b=1
ENV ONE TWO= THREE=world
LABEL "a.b"="c d" e=f
ARG a=1 b c="x y"
ENV empty= next=2
