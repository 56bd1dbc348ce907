# tools/lease-ls on a real lease and a writer blocked on it.  No NOSHIM_FAILS:
# the tool reads /proc and works with or without the shim.
lease_shim_integration(t_tool_lease_ls TIMEOUT 60
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/t_tool_lease_ls.c
  ARGS ${CMAKE_SOURCE_DIR}/tools/lease-ls)
