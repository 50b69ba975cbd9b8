CREATE TABLE orders (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL,
  status      text NOT NULL CHECK (status IN ('PENDING_PAYMENT', 'CONFIRMED', 'CANCELLED')),
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- GET /orders?user_id=…: one user's orders, a keyset page at a time ordered by id.
CREATE INDEX orders_user_id_id ON orders (user_id, id);

CREATE TABLE order_items (
  order_id         uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  line             integer NOT NULL,
  sku              text NOT NULL,
  quantity         integer NOT NULL CHECK (quantity > 0),
  unit_price_cents bigint NOT NULL CHECK (unit_price_cents >= 0),
  PRIMARY KEY (order_id, line)
);

-- One row per Idempotency-Key ever accepted. The primary key decides between concurrent
-- requests with the same key: the loser waits for the winner's transaction and then reads
-- its order. The key is written before the order in that transaction, hence the deferred
-- foreign key.
CREATE TABLE idempotency_keys (
  key          text PRIMARY KEY,
  request_hash text NOT NULL,
  order_id     uuid NOT NULL REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  created_at   timestamptz NOT NULL DEFAULT now()
);
