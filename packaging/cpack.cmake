# The Debian binary package, made by CPack from the install() rules
# (README: "The Debian package" says why CPack and not a debian/ directory):
#   cmake -S . -B build-deb -DCMAKE_INSTALL_PREFIX=/usr -DLEASE_SHIM_TESTS=OFF -DLEASE_SHIM_BENCH=OFF
#   cmake --build build-deb -j2 && (cd build-deb && cpack -G DEB)
# Everything Debian's tools would add by themselves (a stripped library with
# its debug symbols left out, the changelog and copyright files, compressed
# man pages, md5sums, shlibs dependencies) is done here; lintian checks the
# result in the deb stage of tools/dev.

# The documentation, in /usr/share/doc/lease-shim: the README and Debian's
# changelog compressed (gzip -9n, reproducible), the copyright file.
set(ls_doc_gz "")
foreach(f IN ITEMS ${PROJECT_SOURCE_DIR}/README.md ${CMAKE_CURRENT_LIST_DIR}/changelog)
  get_filename_component(n ${f} NAME)
  set(gz ${CMAKE_BINARY_DIR}/packaging/${n}.gz)
  add_custom_command(OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
    COMMAND gzip -9n -c ${f} > ${gz}
    DEPENDS ${f} VERBATIM)
  list(APPEND ls_doc_gz ${gz})
endforeach()
add_custom_target(doc_files ALL DEPENDS ${ls_doc_gz})
install(FILES ${ls_doc_gz} ${CMAKE_CURRENT_LIST_DIR}/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lease-shim)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "lease-shim maintainers <maintainers@users.noreply.r-seed-8f5607f2.example>")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "keep file-lease and O_ASYNC signal notifications true")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "liblease_shim.so is an LD_PRELOAD library for programs that take file
leases (fcntl F_SETLEASE) or ask for O_ASYNC signals, such as Samba's smbd
with kernel oplocks. The kernel names the descriptor a notification was
registered with; after close, dup2, close-on-exec or fork that number can
name another file, and a lease nobody can answer makes every writer wait
for lease-break-time. The shim moves or releases such registrations and
checks every notification before the program's handler sees it.

Tools: lease-run runs a program under the shim or prints a systemd
drop-in for a service; lease-ls shows the leases on the machine and the
processes blocked on them (also as JSON); lease-report summarises the
shim's statistics.")
# libc through dpkg-shlibdeps; python3 for lease-ls and lease-report;
# libunwind8 is dlopen()ed only for backtraces and statistics.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libunwind8")
set(CPACK_STRIP_FILES ON)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_LIST_DIR}/cpack-check.cmake)
include(CPack)
