/* SPDX-License-Identifier: Apache-2.0 */
/* Poison header: libcurl outside its adapter (see Makefile.am, POISON_*). */
#error "curl headers belong in src/openstack/ only (layers: see HACKING.md)"
