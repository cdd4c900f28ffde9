-- SPDX-License-Identifier: Apache-2.0
-- drain-disable-service: disable the nova-compute service of a host
-- (parameter 2) with a reason (parameter 1), when no Nova API is
-- configured.  Plan: uniq_services0host0topic0deleted / host index.
UPDATE services
   SET disabled = 1, disabled_reason = ?, updated_at = UTC_TIMESTAMP()
 WHERE host = ? AND `binary` = 'nova-compute' AND deleted = 0
