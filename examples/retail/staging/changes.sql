-- A day of changes in the staging database, for an incremental run after the first:
-- orders shipped and delivered, a new order with its lines and payment, a cancelled order's
-- payment refunded (deleted), a customer's new e-mail. Each change moves updated_at on.
--   ./wharf exec staging --file examples/retail/staging/changes.sql --project examples/retail/staging
UPDATE pedidos SET status = 'entregue', updated_at = now()::TIMESTAMP WHERE status = 'enviado' AND pedido_id % 2 = 0;
UPDATE clientes SET email = 'novo' || cliente_id || '@exemplo.com.br', updated_at = now()::TIMESTAMP WHERE cliente_id = 42;
INSERT INTO pedidos VALUES (1001, 42, 'enviado', now()::TIMESTAMP, now()::TIMESTAMP) ON CONFLICT DO NOTHING;
INSERT INTO itens_pedido VALUES (1001, 1, 'Café', 2, 18.90, now()::TIMESTAMP), (1001, 2, 'Queijo', 1, 42.00, now()::TIMESTAMP) ON CONFLICT DO NOTHING;
INSERT INTO pagamentos VALUES (1001, 1001, 'pix', 79.80, now()::TIMESTAMP, now()::TIMESTAMP) ON CONFLICT DO NOTHING;
DELETE FROM pagamentos WHERE pedido_id = 1;
