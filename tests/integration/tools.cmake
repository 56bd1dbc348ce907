# tools/lease-ls on a real lease and a writer blocked on it.  No NOSHIM_FAILS:
# the tool reads /proc and works with or without the shim.
lease_shim_integration(t_tool_lease_ls TIMEOUT 60
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/t_tool_lease_ls.c
  ARGS ${CMAKE_SOURCE_DIR}/tools/lease-ls)
# tools/lease-ls --json on a read lease with a blocked writer and a write
# lease with a blocked reader, parsed by python3.
add_test(NAME t_tool_lease_ls_json
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/lease_ls_json_test.py ${CMAKE_SOURCE_DIR}/tools/lease-ls)
set_tests_properties(t_tool_lease_ls_json PROPERTIES LABELS integration TIMEOUT 60)
