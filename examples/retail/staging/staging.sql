-- The DuckDB staging database of seed 001: customers, orders, order lines and payments, each
-- with updated_at, generated deterministically in SQL (nothing binary is committed).
-- Idempotent: run it any number of times.
--   ./wharf exec staging --file examples/retail/staging/staging.sql --project examples/retail/staging
-- Primary keys only: the foreign keys are declared in wharf.yml.

CREATE TABLE IF NOT EXISTS clientes (
  cliente_id  INTEGER PRIMARY KEY,
  nome        VARCHAR NOT NULL,
  email       VARCHAR,
  cidade      VARCHAR NOT NULL,
  updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS pedidos (
  pedido_id   INTEGER PRIMARY KEY,
  cliente_id  INTEGER NOT NULL,
  status      VARCHAR NOT NULL,
  criado_em   TIMESTAMP NOT NULL,
  updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS itens_pedido (
  pedido_id      INTEGER NOT NULL,
  linha          INTEGER NOT NULL,
  produto        VARCHAR NOT NULL,
  quantidade     INTEGER NOT NULL,
  preco_unitario DECIMAL(10,2) NOT NULL,
  updated_at     TIMESTAMP NOT NULL,
  PRIMARY KEY (pedido_id, linha)
);

CREATE TABLE IF NOT EXISTS pagamentos (
  pagamento_id INTEGER PRIMARY KEY,
  pedido_id    INTEGER NOT NULL,
  metodo       VARCHAR NOT NULL,
  valor        DECIMAL(12,2) NOT NULL,
  pago_em      TIMESTAMP NOT NULL,
  updated_at   TIMESTAMP NOT NULL
);

INSERT INTO clientes
SELECT i,
       'Cliente ' || i,
       CASE WHEN i % 7 = 0 THEN NULL ELSE 'cliente' || i || '@exemplo.com.br' END,
       ['São Paulo', 'Rio de Janeiro', 'Belo Horizonte', 'Curitiba', 'Recife', 'Porto Alegre'][1 + i % 6],
       TIMESTAMP '2025-01-01 08:00:00' + INTERVAL (i) MINUTE
FROM range(1, 201) r(i)
ON CONFLICT DO NOTHING;

INSERT INTO pedidos
SELECT i,
       1 + (i * 37) % 200,
       ['entregue', 'entregue', 'entregue', 'enviado', 'cancelado'][1 + (i * 13) % 5],
       TIMESTAMP '2025-01-01 09:00:00' + INTERVAL (i * 5) HOUR,
       TIMESTAMP '2025-01-01 09:00:00' + INTERVAL (i * 5) HOUR + INTERVAL 30 MINUTE
FROM range(1, 1001) r(i)
ON CONFLICT DO NOTHING;

INSERT INTO itens_pedido
SELECT p.i,
       l.j,
       ['Café', 'Açúcar', 'Farinha', 'Azeite', 'Arroz', 'Feijão', 'Leite', 'Queijo'][1 + (p.i * 7 + l.j * 3) % 8],
       1 + (p.i + l.j) % 5,
       CAST(2.5 + ((p.i * 31 + l.j * 17) % 400) / 10.0 AS DECIMAL(10,2)),
       TIMESTAMP '2025-01-01 09:00:00' + INTERVAL (p.i * 5) HOUR + INTERVAL 30 MINUTE
FROM range(1, 1001) p(i), range(1, 4) l(j)
WHERE l.j <= 1 + p.i % 3
ON CONFLICT DO NOTHING;

INSERT INTO pagamentos
SELECT p.pedido_id,
       p.pedido_id,
       ['pix', 'cartão', 'boleto'][1 + p.pedido_id % 3],
       sum(i.quantidade * i.preco_unitario),
       p.criado_em + INTERVAL 2 HOUR,
       p.criado_em + INTERVAL 2 HOUR
FROM pedidos p JOIN itens_pedido i USING (pedido_id)
WHERE p.status <> 'cancelado'
GROUP BY p.pedido_id, p.criado_em
ON CONFLICT DO NOTHING;
