/* SPDX-License-Identifier: Apache-2.0 */
/* Poison header: librados/librbd outside their adapter (see Makefile.am, POISON_*). */
#error "librados/librbd headers belong in src/rbd/rbd.c only (layers: see HACKING.md)"
