# Differential test (diff_calls, run without and with the shim by diff_run.sh)
# and the mixed multi-threaded stress test.  Included by tests/CMakeLists.txt.

add_executable(diff_calls integration/diff_calls.c)
target_link_libraries(diff_calls PRIVATE lstest)
add_test(NAME diff_calls
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/diff_run.sh
          $<TARGET_FILE:lease_shim> $<TARGET_FILE:diff_calls>)
set_tests_properties(diff_calls PROPERTIES LABELS integration TIMEOUT 60)

lease_shim_integration(stress_mixed SOURCES integration/stress_mixed.c
  LABEL stress TIMEOUT 300)
