# Integration tests that do not run under valgrind (LEASE_SHIM_VALGRIND), each
# with its reason.  They still run natively in that build; every other test
# program of lease_shim_integration runs under memcheck and is labelled
# "valgrind".  (The .noshim twins never run under valgrind: they test the
# test, not the shim.)
set(lease_shim_valgrind_skip
)
