# Integration tests of processes (SPEC §5), named after the three objections
# of the 2017 thread (shared/seed/): close is not special (dup2 as well),
# close-on-exec during execve, and a forked child closing all its descriptors
# must not stop the parent's notifications.  Judged by what the kernel and
# the programs observe: si_fd in the old or the new image, /proc/locks and
# fdinfo, a writer's open, exit status and signal of children, the new
# image's getenv/environ and signal mask.  NOSHIM_FAILS where the shim
# changes the outcome.
set(lsp ${CMAKE_CURRENT_LIST_DIR})

# Programs the tests exec: dynamically linked (the shim loads through the
# inherited LD_PRELOAD) and statically linked (it never does).
add_executable(t_proc_image ${lsp}/t_proc_image.c)
target_link_libraries(t_proc_image PRIVATE lstest)
add_executable(t_proc_static_image ${lsp}/t_proc_static_image.c)
# (not lease_shim_flags: a sanitizer runtime cannot be linked statically)
target_compile_options(t_proc_static_image PRIVATE -Wall -Wextra
  $<$<BOOL:${LEASE_SHIM_WERROR}>:-Werror>)
target_link_options(t_proc_static_image PRIVATE -static)
set(proc_image $<TARGET_FILE:t_proc_image>)

# 1. objection 1: close of a dup'ed lease descriptor, and dup2 over it
foreach(v IN ITEMS close dup2)
  lease_shim_integration(t_proc_close_dup_${v} NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsp}/t_proc_close_dup.c ARGS ${v})
endforeach()

# 2. objection 2: close-on-exec during a successful exec, every exec function
set(proc_exec_fns execve execv execvp execvpe execl execle execlp execveat fexecve)
foreach(fn IN LISTS proc_exec_fns)
  lease_shim_integration(t_proc_exec_cloexec_${fn} NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsp}/t_proc_exec_cloexec.c ARGS ${proc_image} ${fn})
  add_dependencies(t_proc_exec_cloexec_${fn} t_proc_image)
endforeach()

# 2a. the same for an O_ASYNC registration (a pipe's read end)
lease_shim_integration(t_proc_exec_cloexec_async NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsp}/t_proc_exec_cloexec_async.c ARGS ${proc_image})
add_dependencies(t_proc_exec_cloexec_async t_proc_image)

# 2b. objection 2 with no alias: the lease outlives the exec in a forked
#     worker; the new image (no descriptor, no handler) must not be killed
lease_shim_integration(t_proc_exec_cloexec_orphan NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsp}/t_proc_exec_cloexec_orphan.c ARGS ${proc_image})
add_dependencies(t_proc_exec_cloexec_orphan t_proc_image)

# 2c. the same through a wrapper that loads the shim and execs the real
#     program (sh, env, valgrind's launcher): the guard is handed on again
lease_shim_integration(t_proc_exec_cloexec_orphan_wrapped NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsp}/t_proc_exec_cloexec_orphan.c ARGS ${lsp}/exec_wrapper.sh
  ENV LEASE_SHIM_TEST_IMAGE=${proc_image})
add_dependencies(t_proc_exec_cloexec_orphan_wrapped t_proc_image)

# 3. objection 2: a failed exec leaves everything as it was (the second file
#    re-homed on a later close proves the shim's table was restored too)
foreach(fn IN LISTS proc_exec_fns)
  lease_shim_integration(t_proc_exec_failed_${fn} NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsp}/t_proc_exec_failed.c ARGS ${fn})
endforeach()

# 3b. a failed exec with the break arriving during the exec: si_fd is still a
lease_shim_integration(t_proc_exec_failed_race TIMEOUT 60
  SOURCES ${lsp}/t_proc_exec_failed_race.c)

# 4. objection 3: a forked child closes all its descriptors; the parent keeps
#    its notifications and its si_fd (the kernel does that without the shim)
foreach(f IN ITEMS fork _Fork)
  foreach(c IN ITEMS loop closefrom)
    lease_shim_integration(t_proc_fork_closes_all_${f}_${c} TIMEOUT 30
      SOURCES ${lsp}/t_proc_fork_closes_all.c ARGS ${f} ${c})
  endforeach()
endforeach()

# 5. exec into a program with no handler: the shim answers the break, and
#    the program is neither killed nor has a blocking read() interrupted
foreach(v IN ITEMS sleep wrlease read)
  lease_shim_integration(t_proc_exec_no_handler_${v} NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsp}/t_proc_exec_no_handler.c ARGS ${proc_image} ${v})
  add_dependencies(t_proc_exec_no_handler_${v} t_proc_image)
endforeach()

# 6. exec into a program without the shim: it survives the break
lease_shim_integration(t_proc_exec_static NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsp}/t_proc_exec_static.c ARGS $<TARGET_FILE:t_proc_static_image> static)
add_dependencies(t_proc_exec_static t_proc_static_image)
lease_shim_integration(t_proc_exec_nopreload NOSHIM_FAILS TIMEOUT 30
  SOURCES ${lsp}/t_proc_exec_static.c ARGS ${proc_image} nopreload)
add_dependencies(t_proc_exec_nopreload t_proc_image)

# 7. vfork: nothing the child closes changes the parent's registrations
foreach(v IN ITEMS exec exit)
  lease_shim_integration(t_proc_vfork_${v} NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsp}/t_proc_vfork.c ARGS ${v})
endforeach()

# 8. posix_spawn and friends leave the parent's table as it was
foreach(v IN ITEMS spawn spawnp spawn-closes spawn-mask spawn-ownlease popen-ownlease system popen)
  lease_shim_integration(t_proc_spawn_${v} NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsp}/t_proc_spawn.c ARGS ${v} ${proc_image})
  add_dependencies(t_proc_spawn_${v} t_proc_image)
endforeach()

# 9. a classic daemon started under the shim
foreach(v IN ITEMS classic closeloop daemon)
  lease_shim_integration(t_proc_daemon_${v} TIMEOUT 30
    SOURCES ${lsp}/t_proc_daemon.c ARGS ${proc_image} ${v})
  add_dependencies(t_proc_daemon_${v} t_proc_image)
endforeach()

# 10. the hand-over variable is invisible to main(), the registration adopted
foreach(v IN ITEMS once twice)
  lease_shim_integration(t_proc_handover_env_${v} NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsp}/t_proc_handover_env.c ARGS ${proc_image} ${v})
  add_dependencies(t_proc_handover_env_${v} t_proc_image)
endforeach()

# 11. LEASE_SHIM_EXEC=release
foreach(v IN ITEMS plain cloexec)
  lease_shim_integration(t_proc_exec_release_${v} NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsp}/t_proc_exec_release.c ARGS ${proc_image} ${v} ENV LEASE_SHIM_EXEC=release)
  add_dependencies(t_proc_exec_release_${v} t_proc_image)
endforeach()

# 12. the new image's signal mask is the old image's
foreach(v IN ITEMS plain rtblocked)
  lease_shim_integration(t_proc_exec_mask_${v} NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsp}/t_proc_exec_mask.c ARGS ${proc_image} ${v})
  add_dependencies(t_proc_exec_mask_${v} t_proc_image)
endforeach()

# Forks of an idle process (issue #13 "zero cost when idle"): the fast path
# must leave a child that had a parent with dropped registrations knowing it
# owns its own, and fork while another thread registers must stay safe.
foreach(v IN ITEMS dropped dropped_mt)
  lease_shim_integration(t_proc_idle_${v} NOSHIM_FAILS TIMEOUT 30
    SOURCES ${lsp}/t_proc_idle.c ARGS ${v})
endforeach()
lease_shim_integration(t_proc_idle_race TIMEOUT 60
  SOURCES ${lsp}/t_proc_idle.c ARGS race)

# Every way of forking in a process that holds a lease (issue #13: fork
# wrappers instead of fork handlers, the pid cache in a page every fork
# child gets zeroed): other libraries' fork handlers that close a tracked
# descriptor, a raw clone, forkpty (glibc forks inside it), and a kernel
# without MADV_WIPEONFORK (a seccomp filter stands in for one).
foreach(v IN ITEMS atfork_child atfork_prepare rawfork forkpty_race nowipe)
  lease_shim_integration(t_proc_forks_${v} TIMEOUT 60
    SOURCES ${lsp}/t_proc_forks.c ARGS ${v})
endforeach()
