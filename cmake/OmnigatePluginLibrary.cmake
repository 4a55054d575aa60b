# og_add_plugin_library(<name> SOURCES ... [LIBS ...] [INCLUDE dir])
# One of a bundled plugin's static libraries: position-independent (it is linked into the
# plugin's shared module), its symbols hidden like the plugin's own, warnings on. The plugin,
# its unit tests, fuzz targets and benches link the same library. INCLUDE (default: the
# current source dir) is where its headers are, for whoever links it.
function(og_add_plugin_library name)
  cmake_parse_arguments(ARG "" "INCLUDE" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_INCLUDE)
    set(ARG_INCLUDE ${CMAKE_CURRENT_SOURCE_DIR})
  endif()
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${ARG_INCLUDE})
  target_link_libraries(${name} PUBLIC ${ARG_LIBS})
  target_compile_features(${name} PUBLIC cxx_std_20)
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON
                                           CXX_VISIBILITY_PRESET hidden
                                           VISIBILITY_INLINES_HIDDEN ON)
  og_set_warnings(${name})
endfunction()
