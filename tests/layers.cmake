# The layers of shim/ (issue #14): tools/layercheck derives the dependency
# graph from nm of the objects of each library (the plain one, and the one
# with fault injection compiled in, whose fault hooks are real calls) and
# from the sources' #include lines, and fails naming any edge that goes up
# a layer and any circle of modules.  The table of layers is in the script;
# the README's layout section must list the same files in each layer.
set(_layer_objects --objects $<TARGET_OBJECTS:lease_shim_core> $<TARGET_OBJECTS:lease_shim>)
if(TARGET lease_shim_fault)
  list(APPEND _layer_objects --objects $<TARGET_OBJECTS:lease_shim_fault>)
endif()
add_test(NAME t_layers
  COMMAND ${PROJECT_SOURCE_DIR}/tools/layercheck --src ${PROJECT_SOURCE_DIR}/shim
          --readme ${PROJECT_SOURCE_DIR}/README.md ${_layer_objects})
set_tests_properties(t_layers PROPERTIES LABELS docs TIMEOUT 60)
