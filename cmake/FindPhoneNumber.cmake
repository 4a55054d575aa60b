# libphonenumber (Debian: libphonenumber8 + the headers of libphonenumber-dev).
# Debian 12's libphonenumber-dev cannot be installed beside libboost1.81-dev (it drags Boost 1.74
# in), so scripts/install-deps.sh unpacks its headers into OMNIGATE_PHONENUMBER_ROOT; a normal
# install under /usr is found as well. The shared library is linked by its soname when the
# unversioned link (part of the -dev package) is missing. Defines PhoneNumber::PhoneNumber.
set(OMNIGATE_PHONENUMBER_ROOT "/opt/omnigate/libphonenumber-dev" CACHE PATH
    "Where scripts/install-deps.sh unpacks the libphonenumber-dev headers")
find_path(PhoneNumber_INCLUDE_DIR phonenumbers/phonenumberutil.h
          HINTS ${OMNIGATE_PHONENUMBER_ROOT}/usr/include)
# Not searched under the unpacked root: its libphonenumber.so points at a file outside it, and
# the static archive there would need ICU, protobuf and abseil spelled out.
find_library(PhoneNumber_LIBRARY NAMES phonenumber libphonenumber.so.8)
find_library(PhoneNumber_PROTOBUF_LIBRARY NAMES protobuf)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PhoneNumber
  REQUIRED_VARS PhoneNumber_LIBRARY PhoneNumber_INCLUDE_DIR PhoneNumber_PROTOBUF_LIBRARY)

if(PhoneNumber_FOUND AND NOT TARGET PhoneNumber::PhoneNumber)
  add_library(PhoneNumber::PhoneNumber UNKNOWN IMPORTED)
  set_target_properties(PhoneNumber::PhoneNumber PROPERTIES
    IMPORTED_LOCATION "${PhoneNumber_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${PhoneNumber_INCLUDE_DIR}"
    # The generated protobuf classes in its headers call into libprotobuf.
    INTERFACE_LINK_LIBRARIES "${PhoneNumber_PROTOBUF_LIBRARY}")
endif()
