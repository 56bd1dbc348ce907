# Integration tests of the signal trampoline (SPEC §4).  Every program asserts
# on what the kernel and the program observe; see each source's comment.
set(tramp_dir ${CMAKE_CURRENT_LIST_DIR})

# 1-3: notifications queued while blocked, then the notify fd goes away
lease_shim_integration(t_tramp_queued_rehome NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_queued_rehome.c)
lease_shim_integration(t_tramp_queued_reused NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_queued_reused.c)
lease_shim_integration(t_tramp_queued_released NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_queued_released.c)
# 1 again, with a writer that waits for the lease (blocking open)
lease_shim_integration(t_tramp_queued_blocking_writer NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_queued_blocking_writer.c)
# 1 again, the close made by a thread other than the main one
lease_shim_integration(t_tramp_queued_thread NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_queued_thread.c)

# a break while the lease is being taken is valid and must be handed on
lease_shim_integration(t_tramp_lease_race TIMEOUT 60 SOURCES ${tramp_dir}/t_tramp_lease_race.c)

# 4-5: a stale notification sent by the kernel after the fact
lease_shim_integration(t_tramp_stale_drop NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_stale.c ARGS drop ENV LEASE_SHIM_CLOSE=keep)
lease_shim_integration(t_tramp_stale_deliver TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_stale.c ARGS deliver
  ENV LEASE_SHIM_CLOSE=keep LEASE_SHIM_STALE=deliver)

# 6: kill/sigqueue/tgkill reach the handler unchanged
lease_shim_integration(t_tramp_nonnote TIMEOUT 30 SOURCES ${tramp_dir}/t_tramp_nonnote.c)
# 7: queries answer with the application's view
lease_shim_integration(t_tramp_queries TIMEOUT 30 SOURCES ${tramp_dir}/t_tramp_queries.c)
# 8: SA_RESETHAND is not spent by a dropped stale notification
lease_shim_integration(t_tramp_resethand NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_resethand.c ENV LEASE_SHIM_CLOSE=keep)
# 9: one-argument handlers
lease_shim_integration(t_tramp_onearg NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_onearg.c)
# 10: SA_RESTART (and its absence) as the kernel would apply it
lease_shim_integration(t_tramp_restart TIMEOUT 30 SOURCES ${tramp_dir}/t_tramp_restart.c)
# 11: sigtimedwait / sigwaitinfo / sigwait check notifications too
lease_shim_integration(t_tramp_wait NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_wait.c ENV LEASE_SHIM_CLOSE=keep)
# 12: real-time queue overflow with SIGIO at SIG_DFL is recovered
lease_shim_integration(t_tramp_overflow NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_overflow.c)
lease_shim_integration(t_tramp_overflow_restart NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_overflow_restart.c)
lease_shim_integration(t_tramp_overflow_twice NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_overflow_twice.c)
# 13: an application's own SIGIO handler (or SIG_IGN) is left alone
lease_shim_integration(t_tramp_overflow_sigio TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_overflow_sigio.c)
# 14: SA_ONSTACK with sigaltstack
lease_shim_integration(t_tramp_altstack TIMEOUT 30 SOURCES ${tramp_dir}/t_tramp_altstack.c)
# 15: F_SETOWN_EX F_OWNER_TID
lease_shim_integration(t_tramp_owner_tid NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_owner_tid.c)
lease_shim_integration(t_tramp_owner_tid_queued NOSHIM_FAILS TIMEOUT 30
  SOURCES ${tramp_dir}/t_tramp_owner_tid_queued.c)
# 16: four threads re-homing and releasing under a continuous stream of breaks
lease_shim_integration(t_tramp_stress NOSHIM_FAILS LABEL stress TIMEOUT 90
  SOURCES ${tramp_dir}/t_tramp_stress.c)

# 17: a program with no leases cannot tell the shim is there (signal API)
add_executable(sigdiff ${tramp_dir}/sigdiff.c)
target_link_libraries(sigdiff PRIVATE lease_shim_flags Threads::Threads ${CMAKE_DL_LIBS})
add_test(NAME t_tramp_sigdiff
  COMMAND sh ${tramp_dir}/sigdiff_run.sh $<TARGET_FILE:lease_shim> $<TARGET_FILE:sigdiff>)
set_tests_properties(t_tramp_sigdiff PROPERTIES LABELS integration TIMEOUT 60)
if(LEASE_SHIM_SANITIZE MATCHES "thread")
  # Not under ThreadSanitizer, which changes what this test measures: TSan
  # calls an application's signal handler late (it queues the signal and
  # runs the handler at the thread's next intercepted call, merging repeats),
  # after the shim's trampoline has checked si_fd and returned, so the
  # handler can meet a decoy by design; and its close() interceptor records
  # the close before the shim's close waits for handlers still using the
  # descriptor (a report on the fd whichever way the shim works).  stress_mixed
  # covers the shim's threads and trampoline under TSan.
  set_tests_properties(t_tramp_stress t_tramp_stress.noshim PROPERTIES DISABLED TRUE)
endif()
