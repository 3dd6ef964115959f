; Syntax highlighting for the dockwright Dockerfile grammar.

[
  "FROM" "AS" "RUN" "CMD" "LABEL" "MAINTAINER" "EXPOSE" "ENV" "ADD" "COPY"
  "ENTRYPOINT" "VOLUME" "USER" "WORKDIR" "ARG" "ONBUILD" "STOPSIGNAL"
  "HEALTHCHECK" "SHELL" "NONE"
] @keyword

(unknown_instruction name: (instruction_name) @error)

(comment) @comment
(parser_directive) @keyword.directive
(directive_name) @property
(directive_value) @string.special

(line_continuation) @punctuation.special

(flag "--" @punctuation.delimiter)
(flag name: (flag_name) @attribute)
(mount_option key: (mount_key) @property)

(image_spec) @string.special
(image_alias) @label

(env_pair name: (key) @variable)
(label_pair key: (key) @property)
(arg_pair name: (key) @variable.parameter)

(expansion "${" @punctuation.special)
(expansion "}" @punctuation.special)
(expansion name: (variable) @variable)
(expansion operator: (operator) @operator)
(simple_expansion) @variable

(double_quoted_string) @string
(single_quoted_string) @string
(json_string) @string
(escape_sequence) @string.escape
(json_escape_sequence) @string.escape

(expose_port) @number
(user_instruction user: (user_name) @variable)
(stopsignal_instruction signal: (signal) @constant)

(heredoc_marker) @label
(heredoc_end) @label
(heredoc_body) @string

["[" "]" "," "=" ":"] @punctuation.delimiter
