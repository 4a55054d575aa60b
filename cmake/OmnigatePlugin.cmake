# og_add_plugin(<name> SOURCES ... [LIBS ...] [OUTPUT_DIR dir])
# Builds a channel plugin as a MODULE library the gateway dlopen()s. One definition, used both
# inside this repository and by the installed SDK (find_package(omnigate-plugin-sdk) includes
# this file), so an out-of-tree plugin is built exactly like a bundled one:
#  - links the SDK (omnigate::sdk) and what LIBS adds (the SDK's helper libraries, system
#    libraries; never gateway targets);
#  - exports og_plugin_entry and nothing else: -fvisibility=hidden hides the plugin's own
#    symbols, and the linker version script og_plugin.map makes local what visibility cannot
#    hide — libstdc++'s template statics and inline variables (declared with default visibility
#    in its headers), which GCC would export as GNU unique ('u') and weak ('V'/'W') symbols.
#    Those would bind to the gateway's or another plugin's copy at load time (two plugins built
#    against different libstdc++ headers then share one object), and a GNU unique symbol makes
#    the library impossible to dlclose(). libstdc++ itself stays a shared library: the gateway
#    loads it anyway, and a static copy per plugin buys nothing once nothing is exported;
#  - refuses undefined symbols at link time (-Wl,-z,defs) so a plugin that would fail
#    in dlopen(RTLD_NOW) fails the build instead;
#  - lands in OUTPUT_DIR, else ${OMNIGATE_PLUGIN_OUTPUT_DIR} when set (the gateway's build
#    tree), else the current binary dir: lib<prefix>og_<name>.so.
function(og_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
  set(version_script ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/og_plugin.map)
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE omnigate::sdk ${ARG_LIBS})
  set_target_properties(${name} PROPERTIES
    PREFIX "libog_"
    OUTPUT_NAME ${name}
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS ${version_script})
  target_link_options(${name} PRIVATE "-Wl,--version-script=${version_script}")
  if(ARG_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR})
  elseif(OMNIGATE_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${OMNIGATE_PLUGIN_OUTPUT_DIR})
  endif()
  if(NOT SANITIZE AND NOT OMNIGATE_BUILD_FUZZ)
    # Sanitizer runtimes (the fuzz preset instruments with ASan/UBSan too) are provided by the
    # host executable, so -z defs cannot hold there.
    target_link_options(${name} PRIVATE -Wl,-z,defs)
  endif()
  if(COMMAND og_set_warnings)  # the repository's warning set; an installed SDK leaves yours
    og_set_warnings(${name})
  endif()
endfunction()
