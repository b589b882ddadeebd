-- The reports read a contact's due-item history (has a three-strikes sequence already started
-- before the period?) without scanning every row of that reason.
create index due_item_history_contact_idx on due_item_history (team_id, contact_kind, contact_id, first_due_on);
