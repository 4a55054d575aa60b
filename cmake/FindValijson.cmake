# valijson, the header-only JSON Schema validator (Debian: libvalijson-dev), for plugin config
# schemas. Debian 12's libvalijson-dev depends on the libraries of all its adapters (Qt, Poco,
# yaml-cpp, ...), of which omnigate uses only the nlohmann one, so scripts/install-deps.sh
# unpacks its headers into OMNIGATE_VALIJSON_ROOT; a normal install under /usr is found as well.
# Defines Valijson::Valijson (include directory + VALIJSON_USE_EXCEPTIONS=1).
set(OMNIGATE_VALIJSON_ROOT "/opt/omnigate/libvalijson-dev" CACHE PATH
    "Where scripts/install-deps.sh unpacks the libvalijson-dev headers")
find_path(Valijson_INCLUDE_DIR valijson/validator.hpp HINTS ${OMNIGATE_VALIJSON_ROOT}/usr/include)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Valijson REQUIRED_VARS Valijson_INCLUDE_DIR)

if(Valijson_FOUND AND NOT TARGET Valijson::Valijson)
  add_library(Valijson::Valijson INTERFACE IMPORTED)
  set_target_properties(Valijson::Valijson PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${Valijson_INCLUDE_DIR}"
    # Without it valijson reports a schema it cannot parse by printing and calling abort().
    INTERFACE_COMPILE_DEFINITIONS "VALIJSON_USE_EXCEPTIONS=1")
endif()
