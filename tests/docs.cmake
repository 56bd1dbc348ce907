# The man pages (man/): they render without a warning (groff -ww, man -l,
# lexgrog), and they agree with the tools' --help, the README's tables and
# shim/wrapped.def (tests/docs/man_check.py says what exactly).
add_test(NAME t_man_render
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/docs/man_check.py render ${PROJECT_SOURCE_DIR}/man)
add_test(NAME t_man_drift
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/docs/man_check.py drift ${PROJECT_SOURCE_DIR}/man
          ${PROJECT_SOURCE_DIR} ${PROJECT_VERSION})
set_tests_properties(t_man_render t_man_drift PROPERTIES LABELS docs TIMEOUT 60)
