/* SPDX-License-Identifier: Apache-2.0 */
/* Poison header: libvirt outside its adapter (see Makefile.am, POISON_*). */
#error "libvirt headers belong in src/virt/ only (layers: see HACKING.md)"
