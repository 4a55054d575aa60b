# SANITIZE=address,undefined (a comma list passed to -fsanitize=) instruments every target,
# plugins included, so ASan sees both sides of the plugin ABI.
set(SANITIZE "" CACHE STRING "Comma-separated sanitizers, e.g. address,undefined")
if(SANITIZE)
  message(STATUS "omnigate: building with -fsanitize=${SANITIZE}")
  add_compile_options(-fsanitize=${SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${SANITIZE})
  add_compile_definitions(OMNIGATE_SANITIZED=1)
endif()

# The fuzz preset instruments every library for coverage (libFuzzer) and memory errors; only
# the fuzz targets themselves link the libFuzzer main (see OmnigateFuzz.cmake).
if(OMNIGATE_BUILD_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
