# Issue #7 item 5, SPEC §6: the application closes everything -
# closefrom(0), a close() loop up to the RLIMIT_NOFILE soft limit, dup2()
# over every number - and the shim keeps working, takes no descriptor
# number and never touches the application's new descriptors.  Each
# program runs for every METHOD with the shim's defaults ("plain") and with
# the settings that make it use descriptors of its own ("own": log file,
# statistics file, backtraces); see closeall_common.h.
set(lsca ${CMAKE_CURRENT_LIST_DIR})

foreach(method IN ITEMS closefrom loop dup2)
  foreach(variant IN ITEMS plain own)
    # R2 for what was closed: the kernel shows no lease, O_ASYNC off
    lease_shim_integration(t_closeall_release_${method}_${variant} NOSHIM_FAILS TIMEOUT 30
      SOURCES ${lsca}/t_closeall_release.c ${lsca}/closeall_common.c ARGS ${method} ${variant})
    # R1 afterwards: a new lease and O_ASYNC re-homed, si_fd names the dup
    lease_shim_integration(t_closeall_rehome_${method}_${variant} NOSHIM_FAILS TIMEOUT 30
      SOURCES ${lsca}/t_closeall_rehome.c ${lsca}/closeall_common.c ARGS ${method} ${variant})
  endforeach()
  # no number taken, no descriptor held, the application's untouched; "own":
  # the shim's log and statistics written (the .noshim twin has none)
  lease_shim_integration(t_closeall_fds_${method}_plain TIMEOUT 30
    SOURCES ${lsca}/t_closeall_fds.c ${lsca}/closeall_common.c ARGS ${method} plain)
  lease_shim_integration(t_closeall_fds_${method}_own NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsca}/t_closeall_fds.c ${lsca}/closeall_common.c ARGS ${method} own)
endforeach()
