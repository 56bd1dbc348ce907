# tools/lease-run, the statistics file and the log destination, end to end.
add_test(NAME t_tool_lease_run
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/leaserun_test.sh ${CMAKE_SOURCE_DIR}/tools/lease-run
          $<TARGET_FILE:lease_shim> $<TARGET_FILE:legacy_lease> $<TARGET_FILE:t_proc_static_image>)
set_tests_properties(t_tool_lease_run PROPERTIES LABELS integration TIMEOUT 60)
# lease-run --systemd-dropin: the values as systemd reads them, the demo's
# log reaching syslog under the drop-in's environment, and systemd-analyze
# verify on a unit with the drop-in (skipped, 77, without it).
add_test(NAME t_tool_systemd_dropin
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/dropin_test.sh ${CMAKE_SOURCE_DIR}/tools/lease-run
          $<TARGET_FILE:lease_shim> $<TARGET_FILE:legacy_lease>)
set_tests_properties(t_tool_systemd_dropin PROPERTIES LABELS integration TIMEOUT 60
  SKIP_RETURN_CODE 77)
