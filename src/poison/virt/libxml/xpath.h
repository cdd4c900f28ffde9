/* SPDX-License-Identifier: Apache-2.0 */
/* Poison header: libxml2 outside its adapter (see Makefile.am, POISON_*). */
#error "libxml2 headers belong in src/virt/ only (layers: see HACKING.md)"
