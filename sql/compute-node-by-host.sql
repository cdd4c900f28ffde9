-- SPDX-License-Identifier: Apache-2.0
-- compute-node-by-host: the hypervisor_hostname(s) of a compute host
-- (parameter 1), i.e. what instances.node must say for an instance there.
-- Plan: prefix of uniq_compute_nodes0host0hypervisor_hostname0deleted.
SELECT hypervisor_hostname
  FROM compute_nodes
 WHERE host = ? AND deleted = 0
