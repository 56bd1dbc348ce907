# Secure execution: settings from the environment are ignored, the shim works.
add_executable(t_secure ${CMAKE_CURRENT_LIST_DIR}/t_secure.c)
target_link_libraries(t_secure PRIVATE lease_shim lstest)
add_test(NAME t_secure_execution COMMAND ${CMAKE_CURRENT_LIST_DIR}/secure_test.sh $<TARGET_FILE:t_secure>)
set_tests_properties(t_secure_execution PROPERTIES LABELS integration TIMEOUT 60)
