-- One payment per order, ever: the primary key is the order id. A second order.created for
-- an order that has a row here changes nothing.
CREATE TABLE payments (
  order_id     uuid PRIMARY KEY,
  payment_id   uuid NOT NULL UNIQUE,
  user_id      uuid NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status       text NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
  reason       text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'FAILED') = (reason IS NOT NULL))
);

-- The simulated payment provider's own ledger, standing in for the provider's side of the
-- wire. It is written in a transaction of its own before the provider answers, keyed by
-- the idempotency key (the order id), and never touched by the payment transaction: a crash
-- after the charge and before the payment commits, followed by redelivery, finds the charge
-- here and gets the same outcome back instead of a second charge.
CREATE TABLE provider_charges (
  idempotency_key text PRIMARY KEY,
  outcome         text NOT NULL CHECK (outcome IN ('approved', 'declined')),
  reason          text,
  amount_cents    bigint NOT NULL,
  currency        text NOT NULL,
  charged_at      timestamptz NOT NULL DEFAULT now()
);
