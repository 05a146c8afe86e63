-- The sample shop (customers, employees, products, orders, order items, payments), generated
-- deterministically in SQL so nothing binary is committed. Idempotent: run it any number of times.
--   ./wharf exec shop --file examples/retail/seed.sql --project examples/retail
PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS employees (
  employee_id INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  title       TEXT NOT NULL,
  reports_to  INTEGER REFERENCES employees(employee_id),   -- a self-reference
  hired_on    DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS customers (
  customer_id INTEGER PRIMARY KEY,
  company     TEXT NOT NULL,
  contact     TEXT,
  email       TEXT,
  country     TEXT NOT NULL,
  created_at  DATETIME NOT NULL
);

CREATE TABLE IF NOT EXISTS products (
  product_id  INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  category    TEXT NOT NULL,
  unit_price  DECIMAL(10,2) NOT NULL,
  discontinued BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS orders (
  order_id    INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(customer_id),
  employee_id INTEGER NOT NULL REFERENCES employees(employee_id),
  ordered_at  DATETIME NOT NULL,
  status      TEXT NOT NULL,
  ship_city   TEXT
);

CREATE TABLE IF NOT EXISTS order_items (
  order_id    INTEGER NOT NULL REFERENCES orders(order_id),
  line        INTEGER NOT NULL,
  product_id  INTEGER NOT NULL REFERENCES products(product_id),
  quantity    INTEGER NOT NULL,
  unit_price  DECIMAL(10,2) NOT NULL,
  discount    DECIMAL(4,2) NOT NULL,
  PRIMARY KEY (order_id, line)
);

CREATE TABLE IF NOT EXISTS payments (
  payment_id  INTEGER PRIMARY KEY,
  order_id    INTEGER NOT NULL REFERENCES orders(order_id),
  paid_at     DATETIME NOT NULL,
  method      TEXT NOT NULL,
  amount      DECIMAL(12,2) NOT NULL
);

INSERT OR IGNORE INTO employees VALUES
  (1, 'Andrew Fuller', 'Vice President, Sales', NULL, '2019-08-14'),
  (2, 'Nancy Davolio', 'Sales Representative', 1, '2020-05-01'),
  (3, 'Janet Leverling', 'Sales Representative', 1, '2020-04-01'),
  (4, 'Steven Buchanan', 'Sales Manager', 1, '2021-10-17'),
  (5, 'Michael Suyama', 'Sales Representative', 4, '2022-10-17'),
  (6, 'Anne Dodsworth', 'Sales Representative', 4, '2023-11-15');

INSERT OR IGNORE INTO customers
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 91)
SELECT i,
       (CASE i % 7 WHEN 0 THEN 'Alfreds Futterkiste' WHEN 1 THEN 'Ana Trujillo Emparedados' WHEN 2 THEN 'Around the Horn' WHEN 3 THEN 'Berglunds snabbköp' WHEN 4 THEN 'Blauer See Delikatessen' WHEN 5 THEN 'Comércio Mineiro' ELSE 'Du monde entier' END) || ' ' || (CASE i % 4 WHEN 0 THEN 'Ltda.' WHEN 1 THEN 'GmbH' WHEN 2 THEN 'S.A.' ELSE 'Inc.' END),
       CASE WHEN i % 13 = 0 THEN NULL ELSE (CASE i % 5 WHEN 0 THEN 'Maria Anders' WHEN 1 THEN 'Ana Trujillo' WHEN 2 THEN 'Thomas Hardy' WHEN 3 THEN 'Christina Berglund' ELSE 'Hanna Moos' END) END,
       CASE WHEN i % 7 = 0 THEN NULL ELSE 'contact' || i || '@example.com' END,
       CASE i % 8 WHEN 0 THEN 'Germany' WHEN 1 THEN 'Mexico' WHEN 2 THEN 'UK' WHEN 3 THEN 'Sweden' WHEN 4 THEN 'France' WHEN 5 THEN 'Brazil' WHEN 6 THEN 'Portugal' ELSE 'USA' END,
       datetime('2022-01-01', '+' || (i * 5) || ' days', '+' || (i * 37 % 1440) || ' minutes')
FROM n;

INSERT OR IGNORE INTO products
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 77)
SELECT i,
       (CASE i % 6 WHEN 0 THEN 'Chai' WHEN 1 THEN 'Chang' WHEN 2 THEN 'Aniseed Syrup' WHEN 3 THEN 'Tofu' WHEN 4 THEN 'Pavlova' ELSE 'Ikura' END) || ' #' || i,
       CASE i % 5 WHEN 0 THEN 'Beverages' WHEN 1 THEN 'Condiments' WHEN 2 THEN 'Produce' WHEN 3 THEN 'Confections' ELSE 'Seafood' END,
       round(2.5 + (i * 7919 % 25000) / 100.0, 2),
       i % 11 = 0
FROM n;

INSERT OR IGNORE INTO orders
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 830)
SELECT 10247 + i,
       1 + (i * 7919 % 91),
       1 + (i * 31 % 6),
       datetime('2024-07-04', '+' || (i * 17 / 10) || ' days', '+' || (i * 611 % 86400) || ' seconds'),
       CASE WHEN i > 800 THEN 'pending' WHEN i % 29 = 0 THEN 'cancelled' ELSE 'shipped' END,
       CASE WHEN i % 17 = 0 THEN NULL ELSE (CASE i % 6 WHEN 0 THEN 'Berlin' WHEN 1 THEN 'México D.F.' WHEN 2 THEN 'London' WHEN 3 THEN 'Luleå' WHEN 4 THEN 'São Paulo' ELSE 'Lisboa' END) END
FROM n;

INSERT OR IGNORE INTO order_items
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 830),
     l(line) AS (SELECT 1 UNION ALL SELECT line + 1 FROM l WHERE line < 4)
SELECT 10247 + i, line,
       1 + ((i * 13 + line * 29) % 77),
       1 + ((i + line) * 7 % 40),
       (SELECT unit_price FROM products WHERE product_id = 1 + ((i * 13 + line * 29) % 77)),
       CASE WHEN (i + line) % 9 = 0 THEN 0.15 WHEN (i + line) % 5 = 0 THEN 0.05 ELSE 0 END
FROM n, l
WHERE line <= 1 + (i % 4);

INSERT OR IGNORE INTO payments
SELECT o.order_id - 10247, o.order_id, datetime(o.ordered_at, '+2 days'),
       CASE o.order_id % 3 WHEN 0 THEN 'card' WHEN 1 THEN 'transfer' ELSE 'invoice' END,
       (SELECT round(sum(quantity * unit_price * (1 - discount)), 2) FROM order_items oi WHERE oi.order_id = o.order_id)
FROM orders o
WHERE o.status = 'shipped';
