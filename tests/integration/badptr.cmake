# Bad application pointers (issue #12 item 9): every wrapper that reads or
# writes a pointer the application passes gives exactly glibc's result and
# errno, or dies of exactly glibc's signal.  diff_badptr runs each case in a
# child without and with the shim (diff_run.sh compares byte for byte), at
# the defaults and with the shim disabled (LEASE_SHIM=0), which must be as
# harmless.
add_executable(diff_badptr ${CMAKE_CURRENT_LIST_DIR}/diff_badptr.c)
target_link_libraries(diff_badptr PRIVATE lstest)
add_test(NAME diff_badptr
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/diff_run.sh
          $<TARGET_FILE:lease_shim> $<TARGET_FILE:diff_badptr>)
add_test(NAME diff_badptr_disabled
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/diff_run.sh
          $<TARGET_FILE:lease_shim> $<TARGET_FILE:diff_badptr> LEASE_SHIM=0)
set_tests_properties(diff_badptr diff_badptr_disabled PROPERTIES LABELS integration TIMEOUT 120)
if(LEASE_SHIM_SANITIZE)
  # A sanitizer's interceptors check the application's pointers before libc
  # (and the shim) see them, and its SIGSEGV handler turns each expected
  # death into a report (which fails the stage): the comparison is the
  # plain build's.
  set_tests_properties(diff_badptr diff_badptr_disabled PROPERTIES DISABLED TRUE)
endif()
