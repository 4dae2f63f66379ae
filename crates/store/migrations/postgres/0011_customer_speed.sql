-- The RFM recompute ranks only active members: it aggregates the sales first and then drops
-- the members who are merged or erased, found through this index (a handful of rows) instead
-- of reading every customer to check their status. Partial: active members are not in it, so
-- it costs nothing on the updates of balances at the register.
CREATE INDEX customers_not_active ON customers (company_id, id) WHERE status <> 'active';
