# og_add_fuzzer(<name> SOURCES ... [LIBS ...] CORPUS <dir>)
# One fuzz target per parser of untrusted input, in two builds:
#  - the `fuzz` preset (clang, OMNIGATE_BUILD_FUZZ=ON): a libFuzzer binary; every library is
#    built with -fsanitize=fuzzer-no-link plus ASan/UBSan (OmnigateSanitizers.cmake), and the
#    checked-in seed corpus is listed for tests/fuzz/run-all.sh (`make fuzz`);
#  - every other build: the same target linked with tests/fuzz/corpus_replay_main.cpp and
#    registered as the ctest `fuzz_replay_<name>`, so `make test` (and the ASan suite) replay
#    the whole corpus — seeds and kept crash inputs — on every run.
# <fuzzer/FuzzedDataProvider.h> ships with clang's runtime (libclang-rt-14-dev, installed by
# scripts/install-deps.sh). It is header-only, so the g++ replay build can use it too — copied
# alone, because clang's own include dir (stddef.h, ...) would break g++.
find_file(OMNIGATE_FUZZED_DATA_PROVIDER fuzzer/FuzzedDataProvider.h
          PATHS /usr/lib/llvm-14/lib/clang/14.0.6/include /usr/lib/llvm-14/lib/clang/14/include)
set(OMNIGATE_FUZZER_HEADERS_DIR ${CMAKE_BINARY_DIR}/fuzzer-headers)
if(OMNIGATE_FUZZED_DATA_PROVIDER)
  configure_file(${OMNIGATE_FUZZED_DATA_PROVIDER}
                 ${OMNIGATE_FUZZER_HEADERS_DIR}/fuzzer/FuzzedDataProvider.h COPYONLY)
endif()

# `fuzzers` builds only the fuzz targets and what they link: what `make fuzz` needs, without
# the gateway binary, plugins and benchmarks the preset would otherwise build too.
if(OMNIGATE_BUILD_FUZZ AND NOT TARGET fuzzers)
  add_custom_target(fuzzers)
endif()

function(og_add_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  if(OMNIGATE_BUILD_FUZZ)
    add_executable(${name} ${ARG_SOURCES})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    add_dependencies(fuzzers ${name})
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    if(ARG_CORPUS)
      file(APPEND ${CMAKE_BINARY_DIR}/fuzz-targets.txt "${name} ${ARG_CORPUS}\n")
    endif()
  else()
    add_executable(${name} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus_replay_main.cpp)
    target_include_directories(${name} SYSTEM PRIVATE ${OMNIGATE_FUZZER_HEADERS_DIR})
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    if(ARG_CORPUS)
      add_test(NAME fuzz_replay_${name} COMMAND ${name} ${ARG_CORPUS})
    endif()
  endif()
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  og_set_warnings(${name})
endfunction()
