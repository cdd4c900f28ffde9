/* SPDX-License-Identifier: Apache-2.0 */
/* Poison header: MariaDB outside its adapter (see Makefile.am, POISON_*). */
#error "MariaDB headers belong in src/novadb/ only (layers: see HACKING.md)"
