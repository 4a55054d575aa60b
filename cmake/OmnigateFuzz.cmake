# og_add_fuzzer(<name> SOURCES ... [LIBS ...] CORPUS <dir>)
# One libFuzzer binary per parser of untrusted input. Only configured in the `fuzz` preset
# (clang, OMNIGATE_BUILD_FUZZ=ON), where every library is built with -fsanitize=fuzzer-no-link
# plus ASan/UBSan so the fuzzer sees coverage and memory errors in the code under test.
# The checked-in seed corpus is registered so tests/fuzz/run-all.sh can find it.
function(og_add_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  og_set_warnings(${name})
  if(ARG_CORPUS)
    file(APPEND ${CMAKE_BINARY_DIR}/fuzz-targets.txt "${name} ${ARG_CORPUS}\n")
  endif()
endfunction()
