#!/bin/sh
# exec_wrapper.sh ARGS... - what a wrapper (env, nice, a launcher, a start
# script) does: load like any program, then exec the real one,
# $LEASE_SHIM_TEST_IMAGE, with the same arguments.
set -eu
exec "$LEASE_SHIM_TEST_IMAGE" "$@"
