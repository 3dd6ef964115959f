; Stages and variables: FROM ... AS name defines a stage that FROM and
; COPY --from refer to; ARG and ENV define variables that expansions refer
; to. The whole file is one scope, as stage names are file-wide.

(source_file) @local.scope

(from_instruction as: (image_alias) @local.definition.namespace)
(from_instruction image: (image_spec) @local.reference)

(arg_pair name: (key) @local.definition.var)
(env_pair name: (key) @local.definition.var)

(expansion name: (variable) @local.reference)
(simple_expansion) @local.reference
