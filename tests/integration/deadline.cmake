# The optional lease-break deadline.
lease_shim_integration(t_deadline NOSHIM_FAILS TIMEOUT 30
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/t_deadline.c
  # the shim's events go to stderr: ctest shows them when the test fails
  ENV LEASE_SHIM_BREAK_DEADLINE=300 LEASE_SHIM_LOG=debug LEASE_SHIM_LOG_DEST=stderr)
