# Transparency (issue #12): the shim changes nothing it does not own, under
# every way a real program runs.  Default settings unless a test says why.
# Most of these pass without the shim too (the kernel does what the
# application expects): they catch the shim's harm; NOSHIM_FAILS where the
# shim must do better than the kernel.
set(lst ${CMAKE_CURRENT_LIST_DIR}/transparency)

# 1. notifications the shim did not register are delivered as sent
foreach(shape IN ITEMS fresh reused)
  lease_shim_integration(t_foreign_dnotify_${shape} TIMEOUT 30 ARGS ${shape}
    SOURCES ${lst}/t_foreign_dnotify.c)
  lease_shim_integration(t_foreign_fioasync_${shape} TIMEOUT 30 ARGS ${shape}
    SOURCES ${lst}/t_foreign_fioasync.c)
endforeach()
lease_shim_integration(t_foreign_inherited TIMEOUT 30 SOURCES ${lst}/t_foreign_inherited.c)
lease_shim_integration(t_foreign_degraded TIMEOUT 30 SOURCES ${lst}/t_foreign_degraded.c)

# 2. handlers left by a jump, or nested deeper than any table
foreach(way IN ITEMS siglongjmp longjmp _longjmp)
  lease_shim_integration(t_tramp_longjmp_${way} TIMEOUT 30 ARGS ${way}
    SOURCES ${lst}/t_tramp_longjmp.c)
endforeach()
foreach(where IN ITEMS stack altstack autodisarm)
  lease_shim_integration(t_tramp_nested_deep_${where} TIMEOUT 30 ARGS ${where}
    SOURCES ${lst}/t_tramp_nested_deep.c)
endforeach()

# 3. a process whose main thread has exited
lease_shim_integration(t_main_exited NOSHIM_FAILS TIMEOUT 30 SOURCES ${lst}/t_main_exited.c)

# 5. a signal sent to one thread stays with it
foreach(shape IN ITEMS sigqueue owner_tid)
  lease_shim_integration(t_flush_keeps_thread_${shape} TIMEOUT 30 ARGS ${shape}
    SOURCES ${lst}/t_flush_keeps_thread.c)
endforeach()

# 6. a break answered while the registration is in flight
lease_shim_integration(t_register_answered TIMEOUT 60 SOURCES ${lst}/t_register_answered.c)

# 7. a handler called by the shim looks like a kernel delivery
lease_shim_integration(t_tramp_overflow_context NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lst}/t_tramp_overflow_context.c)

# 8. no foreign code under the lock: libunwind closes through the shim
lease_shim_integration(t_unwind_unlocked TIMEOUT 60 SOURCES ${lst}/t_unwind_unlocked.c
  ENV LEASE_SHIM_BACKTRACE=1 LEASE_SHIM_LOG=info
      LEASE_SHIM_LOG_DEST=file:${CMAKE_CURRENT_BINARY_DIR}/t_unwind_unlocked.%p.log
      LEASE_SHIM_STATS=${CMAKE_CURRENT_BINARY_DIR}/t_unwind_unlocked.%p.json)
set_tests_properties(t_unwind_unlocked PROPERTIES SKIP_RETURN_CODE 77)

# 10. an 8 KiB alternate stack with every diagnostic on
lease_shim_integration(t_tramp_small_stack TIMEOUT 30 SOURCES ${lst}/t_tramp_small_stack.c
  ENV LEASE_SHIM_BACKTRACE=1 LEASE_SHIM_LOG=debug LEASE_SHIM_BREAK_DEADLINE=60000
      LEASE_SHIM_LOG_DEST=file:${CMAKE_CURRENT_BINARY_DIR}/t_tramp_small_stack.%p.log
      LEASE_SHIM_STATS=${CMAKE_CURRENT_BINARY_DIR}/t_tramp_small_stack.%p.json)
set_tests_properties(t_tramp_small_stack PROPERTIES SKIP_RETURN_CODE 77)

# found by the transparency oracle: a fork child and its parent's handlers;
# system() and popen() from several threads
lease_shim_integration(t_fork_inflight TIMEOUT 30 SOURCES ${lst}/t_fork_inflight.c)
lease_shim_integration(t_system_threads TIMEOUT 60 SOURCES ${lst}/t_system_threads.c)
