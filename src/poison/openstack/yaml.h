/* SPDX-License-Identifier: Apache-2.0 */
/* Poison header: libyaml outside its adapter (see Makefile.am, POISON_*). */
#error "yaml headers belong in src/openstack/ only (layers: see HACKING.md)"
