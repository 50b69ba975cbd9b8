CREATE TABLE users (
  id            uuid PRIMARY KEY,
  name          text NOT NULL,
  email         text NOT NULL,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('user', 'admin')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- E-mail addresses are unique regardless of case; the address is kept as it was given.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
