# og_add_plugin(<name> SOURCES ... [LIBS ...])
# Builds a channel plugin as a MODULE library the gateway dlopen()s:
#  - links the SDK (and only what LIBS adds: system libraries, never gateway targets);
#  - hides every symbol but og_plugin_entry (-fvisibility=hidden);
#  - refuses undefined symbols at link time (-Wl,-z,defs) so a plugin that would fail
#    in dlopen(RTLD_NOW) fails the build instead;
#  - lands in ${OMNIGATE_PLUGIN_OUTPUT_DIR}/libog_<name>.so.
function(og_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE omnigate::sdk ${ARG_LIBS})
  set_target_properties(${name} PROPERTIES
    PREFIX "libog_"
    OUTPUT_NAME ${name}
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR})
  else()
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${OMNIGATE_PLUGIN_OUTPUT_DIR})
  endif()
  if(NOT SANITIZE AND NOT OMNIGATE_BUILD_FUZZ)
    # Sanitizer runtimes (the fuzz preset instruments with ASan/UBSan too) are provided by the
    # host executable, so -z defs cannot hold there.
    target_link_options(${name} PRIVATE -Wl,-z,defs)
  endif()
  og_set_warnings(${name})
endfunction()
