# og_set_warnings(target): the project's warning set, applied per target so that
# third-party headers (included as SYSTEM) stay quiet.
function(og_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wcast-align -Wunused)
  if(OMNIGATE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
option(OMNIGATE_WERROR "Treat warnings as errors" OFF)
