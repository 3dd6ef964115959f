# Every external library is found with pkg-config. A missing one stops
# configure with the Debian package that provides it; scripts/deps.sh
# installs them all.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: install it with `apt-get install pkg-config` (or run scripts/deps.sh as root)")
endif()

# dw_require(<target-suffix> <pkg-config module> <Debian package>)
function(dw_require name module package)
  pkg_check_modules(DWDEP_${name} QUIET IMPORTED_TARGET GLOBAL ${module})
  if(NOT DWDEP_${name}_FOUND)
    message(FATAL_ERROR
      "missing dependency '${module}': install the Debian package ${package} "
      "(apt-get install ${package}), or run scripts/deps.sh as root")
  endif()
  add_library(dw::${name} ALIAS PkgConfig::DWDEP_${name})
endfunction()

dw_require(treesitter tree-sitter libtree-sitter-dev)
dw_require(archive libarchive libarchive-dev)
dw_require(zlib zlib zlib1g-dev)
dw_require(openssl openssl libssl-dev)
dw_require(pcre2 libpcre2-8 libpcre2-dev)
dw_require(jansson jansson libjansson-dev)
dw_require(yaml yaml-0.1 libyaml-dev)
dw_require(curl libcurl libcurl4-openssl-dev)
dw_require(cmocka cmocka libcmocka-dev)
find_package(Threads REQUIRED)
