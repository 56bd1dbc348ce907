# The transparency oracle (tests/oracle/README.md): generated well-behaved
# programs run natively and under the shim; what they observe must be equal.
# Included by tests/CMakeLists.txt.
#
# LEASE_SHIM_ORACLE_FEATURES is the feature mix the ctest test runs
# (tests/oracle/run --features) and checks for determinism: every feature
# but fdlimit, whose count of descriptors up to the limit depends on what
# is open in the process at that moment (other threads, the shim's alias
# scan, what ctest's parallel runs leave inherited), in either direction:
# a campaign saw 53, 54 and 55 for one seed, and two native runs of one
# seed under ctest -j2 differed by one.
# (Not cache variables with a default, so that a build tree configured
# before the list changed gets the new one; -D on the command line wins.)
if(NOT DEFINED LEASE_SHIM_ORACLE_FEATURES)
  set(LEASE_SHIM_ORACLE_FEATURES "all,-fdlimit")
endif()
if(NOT DEFINED LEASE_SHIM_ORACLE_SECONDS)
  set(LEASE_SHIM_ORACLE_SECONDS 25) # how long the ctest oracle test starts seeds
endif()
# Seeds at once in the oracle and oracle_self_check tests: a seed's two
# runs mostly wait (about 1 s of CPU in 12 s of seeds), so two jobs in one
# ctest slot run some 40 seeds in the 25 s where one job ran 35 in 45 s.
if(NOT DEFINED LEASE_SHIM_ORACLE_JOBS)
  set(LEASE_SHIM_ORACLE_JOBS 2)
endif()

add_executable(oracle ${CMAKE_CURRENT_LIST_DIR}/oracle.c)
target_link_libraries(oracle PRIVATE lease_shim_flags Threads::Threads)
add_test(NAME oracle
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/run --build ${CMAKE_BINARY_DIR} --start 1
          --time ${LEASE_SHIM_ORACLE_SECONDS} --jobs ${LEASE_SHIM_ORACLE_JOBS} --features ${LEASE_SHIM_ORACLE_FEATURES})
set_tests_properties(oracle PROPERTIES LABELS oracle TIMEOUT 150)
# The scenario's own determinism, on a few seeds: two native runs must print
# the same transcript, or a shim difference could be the scenario's noise.
add_test(NAME oracle_self_check
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/run --build ${CMAKE_BINARY_DIR} --start 1
          --count 20 --jobs ${LEASE_SHIM_ORACLE_JOBS} --self-check --features ${LEASE_SHIM_ORACLE_FEATURES})
set_tests_properties(oracle_self_check PROPERTIES LABELS oracle TIMEOUT 120)

# The oracle must see a change when there is one: with a preload that loses
# the third O_ASYNC notification (perturb.c) in the shim's place, the run
# must fail and report the missing notification.
add_library(oracle_perturb MODULE ${CMAKE_CURRENT_LIST_DIR}/perturb.c)
target_link_libraries(oracle_perturb PRIVATE lease_shim_flags ${CMAKE_DL_LIBS})
add_test(NAME oracle_sensitivity
  COMMAND sh -c "\"$0\" --build \"$1\" --shim \"$2\" --count 2 --features pipe,handler,sigsuspend --out \"$1/oracle-sensitivity\" >\"$1/oracle-sensitivity.log\" 2>&1; rc=$?; cat \"$1/oracle-sensitivity.log\"; [ $rc -eq 1 ] && grep -q '^+  notes [0-9]* of [0-9]*$' \"$1/oracle-sensitivity.log\""
          ${CMAKE_CURRENT_LIST_DIR}/run ${CMAKE_BINARY_DIR} $<TARGET_FILE:oracle_perturb>)
set_tests_properties(oracle_sensitivity PROPERTIES LABELS oracle TIMEOUT 60)
if(LEASE_SHIM_SANITIZE)
  # CI time: the plain stage runs the oracle; a sanitizer build runs it by
  # hand (tests/oracle/run --build build-asan).
  set_tests_properties(oracle oracle_self_check oracle_sensitivity PROPERTIES DISABLED TRUE)
endif()
