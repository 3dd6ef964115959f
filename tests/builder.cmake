# Tests of the builder's commands, included by tests/CMakeLists.txt.
# `dockwright image` and `dockwright cache` over a store in a temporary
# directory (a few seconds: dozens of runs of the binary, fsynced writes).
add_test(NAME cli_image
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_image.sh $<TARGET_FILE:dockwright>)
set_tests_properties(cli_image PROPERTIES LABELS slow SKIP_RETURN_CODE 77)
# `dockwright build` end to end as root over a busybox image made at test
# time (skips without root, busybox-static or namespaces).
add_test(NAME cli_build
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_build.sh $<TARGET_FILE:dockwright>
          ${CMAKE_CURRENT_SOURCE_DIR}/builder/make_busybox_rootfs.sh)
set_tests_properties(cli_build PROPERTIES LABELS "builder;slow" SKIP_RETURN_CODE 77)
# Pull and push against Debian's docker-registry on 127.0.0.1 (plain and
# htpasswd basic auth), read back by skopeo; the build part needs root.
add_test(NAME cli_registry
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_registry.sh $<TARGET_FILE:dockwright>
          ${CMAKE_CURRENT_SOURCE_DIR}/builder/make_busybox_rootfs.sh)
set_tests_properties(cli_registry PROPERTIES LABELS "builder;slow" SKIP_RETURN_CODE 77)
# What `dockwright build` writes, read back by skopeo and umoci, and images
# made by umoci and skopeo, imported and built upon (skips without root,
# skopeo, umoci, python3 or busybox-static).
add_test(NAME cli_interop
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_interop.sh $<TARGET_FILE:dockwright>
          ${CMAKE_CURRENT_SOURCE_DIR}/builder/make_busybox_rootfs.sh)
set_tests_properties(cli_interop PROPERTIES LABELS "builder;slow" SKIP_RETURN_CODE 77)
# apt-get install over a debootstrap bookworm minbase base: layer sizes and
# wasted bytes with the package lists kept, removed later and removed in the
# same RUN (about 4 minutes, most of it debootstrap; skips without root,
# debootstrap or the mirror).
add_test(NAME cli_debian_build
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_debian_build.sh $<TARGET_FILE:dockwright>)
set_tests_properties(cli_debian_build PROPERTIES LABELS "builder;slow" SKIP_RETURN_CODE 77
  TIMEOUT 420)
# The build benchmark, dockwright against buildah (figures only; as root,
# from a Release build): `cmake --build <dir> --target bench-build`.
add_custom_target(bench-build
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/perf/bench_build.sh ${CMAKE_BINARY_DIR}
  DEPENDS dockwright
  COMMENT "Running the build benchmark (use a Release build for meaningful figures)")
