# posix_spawn's signal attributes (issue #12 item 4): the child starts with
# exactly the mask and dispositions POSIX_SPAWN_SETSIGMASK / SETSIGDEF ask
# for, in an image that loads the shim ("shim") and in one that does not
# ("bare"), through posix_spawn and posix_spawnp.  The .noshim twins run the
# same program without the shim and must pass too: the kernel's answer is
# the expectation (the program knows which run it is in from the kernel's
# handler for the notification signal).
# Not under valgrind: the oracle is /proc/self/status of the spawned image,
# which valgrind (tracing children) runs with its own kernel-level mask and
# handlers, not the program's.  The spawn wrappers run under memcheck in the
# t_proc_spawn_* tests.
foreach(attrs IN ITEMS none mask def both)
  foreach(image IN ITEMS shim bare)
    list(APPEND lease_shim_valgrind_skip t_spawn_attr_${attrs}_${image})
  endforeach()
endforeach()
list(APPEND lease_shim_valgrind_skip t_spawn_attr_mask_shim_spawnp)
foreach(attrs IN ITEMS none mask def both)
  foreach(image IN ITEMS shim bare)
    set(name t_spawn_attr_${attrs}_${image})
    lease_shim_integration(${name} TIMEOUT 30
      SOURCES ${CMAKE_CURRENT_LIST_DIR}/t_spawn_attr.c ARGS ${attrs} ${image})
    add_test(NAME ${name}.noshim COMMAND ${name} ${attrs} ${image})
    set_tests_properties(${name}.noshim PROPERTIES LABELS integration TIMEOUT 30)
  endforeach()
endforeach()
lease_shim_integration(t_spawn_attr_mask_shim_spawnp TIMEOUT 30
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/t_spawn_attr.c ARGS mask shim spawnp)
add_test(NAME t_spawn_attr_mask_shim_spawnp.noshim COMMAND t_spawn_attr_mask_shim_spawnp mask shim spawnp)
set_tests_properties(t_spawn_attr_mask_shim_spawnp.noshim PROPERTIES LABELS integration TIMEOUT 30)

# The shim's own failures never change errno (issue #12 item 11): its
# mapping before popen/system/posix_spawn fails (fault injection, every
# position in turn) and the application's errno is what it set.
if(TARGET lease_shim_fault)
  add_executable(t_spawn_errno ${CMAKE_CURRENT_LIST_DIR}/fault/t_spawn_errno.c)
  target_link_libraries(t_spawn_errno PRIVATE lstest)
  add_test(NAME t_fault_spawn_errno
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/fault/spawn_errno_test.sh
            $<TARGET_FILE:t_spawn_errno> $<TARGET_FILE:lease_shim_fault>)
  set_tests_properties(t_fault_spawn_errno PROPERTIES LABELS integration TIMEOUT 120)
endif()
