# Calls made from another library's constructor, before the shim's own
# constructor runs, are handled (SPEC §6).
add_library(early_lib SHARED ${CMAKE_CURRENT_LIST_DIR}/early/early_lib.c)
target_link_libraries(early_lib PRIVATE lstest)
lease_shim_integration(t_early_constructor NOSHIM_FAILS
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/early/early_main.c)
target_link_libraries(t_early_constructor PRIVATE early_lib)
