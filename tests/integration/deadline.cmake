# The optional lease-break deadline.
lease_shim_integration(t_deadline NOSHIM_FAILS TIMEOUT 30
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/t_deadline.c ENV LEASE_SHIM_BREAK_DEADLINE=300)
