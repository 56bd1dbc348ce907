# Integration tests of the rules for descriptors going away (SPEC §3, §8):
# one program per behaviour, each judged by what the kernel and the program
# observe (si_fd, /proc/locks, fdinfo, kcmp, errno).  NOSHIM_FAILS where the
# shim changes the outcome: the same program without the shim must fail.
#
# Presence of a lease is checked as lst_leases_on(path) >= 1, exact counts on
# /proc/self/fdinfo: while other processes add or remove locks, /proc/locks
# can list one lease twice (seq_file gives one chunk per read() and restarts
# the next read by index over per-cpu lists, so entries shift), which
# parallel ctest runs hit within a few dozen rounds.  Absence (== 0) is exact.
set(lsr ${CMAKE_CURRENT_LIST_DIR})

# R1: the notify fd goes away, an alias survives -> later signals name the alias
lease_shim_integration(t_close_alias_rdlease NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_close_alias_rdlease.c)
lease_shim_integration(t_close_alias_wrlease NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_close_alias_wrlease.c)
lease_shim_integration(t_dunder_close NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_dunder_close.c)
lease_shim_integration(t_dup2_over_notify NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_dup2_over_notify.c)
lease_shim_integration(t_dup3_over_notify NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_dup3_over_notify.c)
lease_shim_integration(t_close_range_one NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_close_range_one.c)
lease_shim_integration(t_close_range_span NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_close_range_span.c)
lease_shim_integration(t_close_range_unshare NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_close_range_unshare.c)
lease_shim_integration(t_closefrom_alias_below NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_closefrom_alias_below.c)
lease_shim_integration(t_fclose_stream NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_fclose_stream.c)
lease_shim_integration(t_freopen_stream NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_freopen_stream.c)
lease_shim_integration(t_fcntl64_close_alias NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_fcntl64_close_alias.c COMPILE_DEFINITIONS _FILE_OFFSET_BITS=64)
lease_shim_integration(t_syscall_close NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_syscall_close.c)
lease_shim_integration(t_dupfd_cloexec_alias NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_dupfd_cloexec_alias.c)
lease_shim_integration(t_owner_thread NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_owner_thread.c)
lease_shim_integration(t_async_pipe NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_async_pipe.c)
lease_shim_integration(t_async_socketpair NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_async_socketpair.c)

# Nothing goes away: the shim must change nothing
lease_shim_integration(t_close_range_cloexec TIMEOUT 30
  SOURCES ${lsr}/t_close_range_cloexec.c)
lease_shim_integration(t_fcloseall_keeps TIMEOUT 30
  SOURCES ${lsr}/t_fcloseall_keeps.c)

# R2: no alias survives -> release (default) or keep
lease_shim_integration(t_r2_release NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_r2_release.c)
lease_shim_integration(t_r2_keep TIMEOUT 30
  SOURCES ${lsr}/t_r2_keep.c ENV LEASE_SHIM_CLOSE=keep)

# R3: a forked child closing everything leaves the parent's registration alone
lease_shim_integration(t_r3_child_close_loop TIMEOUT 30
  SOURCES ${lsr}/t_r3_child_closes_all.c ARGS loop)
lease_shim_integration(t_r3_child_closefrom TIMEOUT 30
  SOURCES ${lsr}/t_r3_child_closes_all.c ARGS closefrom)
# R3, then the process owns the lease again: the table acts through the alias
lease_shim_integration(t_r3_owner_back_break NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_r3_owner_back.c ARGS break)
lease_shim_integration(t_r3_owner_back_close NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsr}/t_r3_owner_back.c ARGS close)

# R4, R5, numbering: failed calls change nothing, masks and errno as they were,
# descriptor numbers as without the shim
lease_shim_integration(t_r4_failed_dup TIMEOUT 30
  SOURCES ${lsr}/t_r4_failed_dup.c)
lease_shim_integration(t_r5_mask_errno TIMEOUT 30
  SOURCES ${lsr}/t_r5_mask_errno.c)
lease_shim_integration(t_fd_numbering TIMEOUT 30
  SOURCES ${lsr}/t_fd_numbering.c)

# SPEC §8: a descriptor closed behind the shim's back (inline syscall, x86_64)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  lease_shim_integration(t_behind_back_close NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsr}/t_behind_back_close.c)
endif()
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  lease_shim_integration(t_behind_back_reused_closed NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsr}/t_behind_back_reused_closed.c)
  lease_shim_integration(t_behind_back_dup2_tmp NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsr}/t_behind_back_dup2_tmp.c)
endif()

# The alias index (issue #13): every alias found at 3,000 open descriptors,
# however it was made
foreach(mode before after dupfd dup2 syscall scm scm_reg fork exec)
  lease_shim_integration(t_alias_index_${mode} NOSHIM_FAILS TIMEOUT 60
    SOURCES ${lsr}/t_alias_index.c ARGS ${mode})
endforeach()
