-- fix-instance-host: the instance record's host and node (parameters 1-2)
-- only, for a repair through the Nova API (stuck --via api --allow-db):
-- the API cannot set them; the state is then reset through the API
-- (os-resetState).  Parameter 3: uuid.
UPDATE instances
   SET host = ?, node = ?, updated_at = UTC_TIMESTAMP()
 WHERE uuid = ? AND deleted = 0
