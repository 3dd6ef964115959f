; Shell text of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD in shell form, and
; the bodies of RUN heredocs, are injected as bash. All fragments of one
; instruction form one injection, so a command continued over lines is
; highlighted as one script.

((shell_command) @injection.content
  (#set! injection.language "bash")
  (#set! injection.combined))

((run_instruction
  (heredoc_block (heredoc_body) @injection.content))
  (#set! injection.language "bash"))

((comment) @injection.content
  (#set! injection.language "comment"))
