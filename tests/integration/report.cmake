# tools/lease-report: summary and JUnit of the shim's statistics documents.
add_test(NAME t_tool_lease_report
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/report_test.sh ${CMAKE_SOURCE_DIR}/tools/lease-report
          ${CMAKE_SOURCE_DIR}/tools/lease-run $<TARGET_FILE:lease_shim> $<TARGET_FILE:legacy_lease>)
set_tests_properties(t_tool_lease_report PROPERTIES LABELS integration TIMEOUT 60)
