# The exported symbols: every preloadable library exports exactly the names
# of shim/wrapped.def, no wrapper is left out of it, and the shim ships none
# of the helpers only the unit tests call (tests/docs/exports_check.py says
# what exactly).  The helpers named here are the ones known today; a new one
# nothing in the library calls is found without being named.
set(ls_exports_args
  --gc-lib $<TARGET_FILE:lease_shim> $<TARGET_OBJECTS:lease_shim> $<TARGET_OBJECTS:lease_shim_core>)
if(LEASE_SHIM_FAULT_INJECTION)
  list(APPEND ls_exports_args
    --gc-lib $<TARGET_FILE:lease_shim_fault> $<TARGET_OBJECTS:lease_shim_fault>)
endif()
if(LEASE_SHIM_BENCH) # bench/ comes after tests/, its target is not known yet
  list(APPEND ls_exports_args
    --lib $<TARGET_FILE:bench_passthrough> $<TARGET_OBJECTS:bench_passthrough>)
endif()
add_test(NAME t_exports
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/docs/exports_check.py
          ${PROJECT_SOURCE_DIR}/shim/wrapped.def ${LEASE_SHIM_EXPORTS_MAP}
          --test-only ls_alias_reset,ls_table_clear,ls_table_bytes
          ${ls_exports_args})
set_tests_properties(t_exports PROPERTIES LABELS unit TIMEOUT 60)
