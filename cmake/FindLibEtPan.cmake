# libetpan (Debian: libetpan20 + the headers of libetpan-dev), the IMAP client with IDLE.
# Debian 12's libetpan-dev depends on libcurl4-gnutls-dev, which conflicts with the
# libcurl4-openssl-dev the gateway builds against (installing one removes the other), so
# scripts/install-deps.sh unpacks its headers into OMNIGATE_LIBETPAN_ROOT; a normal install under
# /usr is found as well. Its headers include only system headers. The shared library is linked
# by its soname when the unversioned link (part of the -dev package) is missing.
# Defines LibEtPan::LibEtPan.
set(OMNIGATE_LIBETPAN_ROOT "/opt/omnigate/libetpan-dev" CACHE PATH
    "Where scripts/install-deps.sh unpacks the libetpan-dev headers")
find_path(LibEtPan_INCLUDE_DIR libetpan/libetpan.h HINTS ${OMNIGATE_LIBETPAN_ROOT}/usr/include)
# Not searched under the unpacked root: its libetpan.so points at a file outside it.
find_library(LibEtPan_LIBRARY NAMES etpan libetpan.so.20)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibEtPan REQUIRED_VARS LibEtPan_LIBRARY LibEtPan_INCLUDE_DIR)

if(LibEtPan_FOUND AND NOT TARGET LibEtPan::LibEtPan)
  add_library(LibEtPan::LibEtPan UNKNOWN IMPORTED)
  set_target_properties(LibEtPan::LibEtPan PROPERTIES
    IMPORTED_LOCATION "${LibEtPan_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LibEtPan_INCLUDE_DIR}")
endif()
