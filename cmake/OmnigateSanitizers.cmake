# SANITIZE=address,undefined (a comma list passed to -fsanitize=) instruments every target,
# plugins included, so ASan sees both sides of the plugin ABI.
set(SANITIZE "" CACHE STRING "Comma-separated sanitizers, e.g. address,undefined")
if(SANITIZE)
  message(STATUS "omnigate: building with -fsanitize=${SANITIZE}")
  add_compile_options(-fsanitize=${SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${SANITIZE})
  add_compile_definitions(OMNIGATE_SANITIZED=1)
endif()
