# Fault injection (SPEC §6: an internal failure degrades to pass-through for
# that descriptor, with a warning, never a changed result).  Each test runs
# t_fault SCENARIO without the shim, under liblease_shim_fault.so, and under
# it with LEASE_SHIM_FAULTS=FAULT (fault/fault_test.sh says what is compared).
if(TARGET lease_shim_fault)
  set(lsf ${CMAKE_CURRENT_LIST_DIR}/fault)
  add_executable(t_fault ${lsf}/t_fault.c)
  target_link_libraries(t_fault PRIVATE lstest)
  # test name          scenario     fault (fault.h)
  foreach(spec IN ITEMS
      "setlease_move;move;setlease"
      "setlease_release;release;setlease"
      "setown_ex;move_owner;setown_ex"
      "emfile;scan;emfile"
      "proc;scan;proc"
      "mmap;move;mmap"
      "sigaction;trampoline;sigaction")
    list(GET spec 0 name)
    list(GET spec 1 scenario)
    list(GET spec 2 fault)
    add_test(NAME t_fault_${name}
      COMMAND ${lsf}/fault_test.sh $<TARGET_FILE:t_fault> ${scenario} ${fault}
              $<TARGET_FILE:lease_shim_fault>)
    set_tests_properties(t_fault_${name} PROPERTIES LABELS integration TIMEOUT 60)
  endforeach()
endif()

# A real EMFILE (the application at its descriptor limit), no injection, at
# the default settings: the break naming the closed number is the
# application's (the shim never tracked it), delivered as sent.
lease_shim_integration(t_fault_at_limit TIMEOUT 30
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/fault/t_fault_at_limit.c)
