-- An order sent up to the township (逐级上报) that the township never took, and that the
-- community then finished and had confirmed, kept its sending up 'sent' for ever: on the
-- order's page as waiting for the township, and counted as open with it. From now on the
-- confirmation withdraws it (撤回上报, with a line on the timeline); those confirmed before
-- are withdrawn here.
UPDATE order_escalations SET state = 'withdrawn'
WHERE state = 'sent'
  AND order_id IN (SELECT id FROM work_orders WHERE state = 'confirmed');
