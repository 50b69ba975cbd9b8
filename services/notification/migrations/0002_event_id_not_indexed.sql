-- The inbox claim in the same statement (notification_record) already lets each event id
-- insert at most one notification: its unique index here was a second, redundant guard, and
-- every notification row paid for it three times (the insert and the two non-HOT updates,
-- claimed and SENT). The column stays: it names the event that asked for the e-mail.
ALTER TABLE notifications DROP CONSTRAINT notifications_event_id_key;
