-- One row per e-mail this service owes a user, and how its delivery went.
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  event_id text NOT NULL UNIQUE,          -- ce_id of the event that asked for it
  order_id uuid NOT NULL,
  user_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('created', 'confirmed', 'cancelled')),
  subject text NOT NULL,
  body text NOT NULL,
  traceparent text,                       -- the event's, so that delivery joins the order's trace
  status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
  attempts integer NOT NULL DEFAULT 0,    -- delivery attempts made, the successful one included
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  -- One e-mail per order and moment, even if the order's service published an event twice
  -- under different ids.
  UNIQUE (order_id, kind)
);

-- The sender's work queue: only pending rows, by when they are due.
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX notifications_by_user ON notifications (user_id, created_at DESC);
