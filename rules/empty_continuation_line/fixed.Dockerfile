# test: rules=DW007 fix=safe
FROM debian:12
RUN apt-get update && \

# fixed: <deleted>
    apt-get install -y curl
# expect @-3:1 DW007 "empty continuation line in this RUN instruction: BuildKit drops it"
RUN echo one \
    two \
  	
# fixed: <deleted>

# fixed: <deleted>
    three
# expect @-5:1 DW007 "empty continuation line in this RUN instruction"
# expect @-4:1 DW007 "empty continuation line in this RUN instruction"
ENV A=1 \
    # a comment line inside the instruction

# fixed: <deleted>
    B=2
# expect @-3:1 DW007 "in this ENV instruction"
LABEL a=b \

# fixed: <deleted>
# expect @-2:1 DW007 "in this LABEL instruction"
