#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/build.sh [BUILDDIR]: install what is needed (Debian 12), then
# configure with --enable-werror and build out of tree (default _build/).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-$top/_build}
"$top/tests/lab/deps.sh" "${NOVA_EVAC_DEPS:-all}"
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || autoreconf -fi
mkdir -p "$b"
cd "$b"
[ -f Makefile ] || "$top/configure" -q --enable-werror
make -j"$(nproc)" >/dev/null
echo "built $b/src/nova-evac" >&2
