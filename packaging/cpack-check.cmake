# Run by cpack: a Debian package installs under /usr, where the installed
# lease-run looks for the library (tools/CMakeLists.txt).
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "the Debian package needs -DCMAKE_INSTALL_PREFIX=/usr "
    "(configured with ${CPACK_PACKAGING_INSTALL_PREFIX})")
endif()
