; Multi-line instructions and heredoc bodies fold.
[
  (run_instruction)
  (copy_instruction)
  (add_instruction)
  (env_instruction)
  (label_instruction)
  (arg_instruction)
  (cmd_instruction)
  (entrypoint_instruction)
  (healthcheck_instruction)
  (onbuild_instruction)
  (heredoc_block)
  (json_string_array)
] @fold
