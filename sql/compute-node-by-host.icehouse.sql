-- SPDX-License-Identifier: Apache-2.0
-- compute-node-by-host.icehouse: compute-node-by-host.sql on the
-- Icehouse-era schema, whose compute_nodes have no host column (Kilo added
-- it): a node's host is that of its nova-compute service.
-- Plan: uniq_services0host0binary0deleted, then fk_compute_nodes_service_id.
SELECT cn.hypervisor_hostname
  FROM services s
  JOIN compute_nodes cn ON cn.service_id = s.id AND cn.deleted = 0
 WHERE s.host = ? AND s.`binary` = 'nova-compute' AND s.deleted = 0
