# og_set_warnings(target): the project's warning set, applied per target so that
# third-party headers (included as SYSTEM) stay quiet. C++-only flags are limited to C++
# sources (the ABI fixtures are C), and GCC-only spellings to GCC (the fuzz build is clang).
option(OMNIGATE_WERROR "Treat warnings as errors" OFF)
function(og_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wcast-align -Wunused
    $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wshadow=local>
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:Clang>>:-Wshadow-uncaptured-local>)
  if(OMNIGATE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
