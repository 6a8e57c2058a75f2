UPDATE order_escalations SET state = 'sent' WHERE state = 'withdrawn';
