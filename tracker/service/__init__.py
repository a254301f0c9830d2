"""Write operations, each inside the one transaction its command opened
(tracker.store.transactions.write_transaction), completed whole or raising before anything is
committed: `commitments` (add, update, the events every change appends), `edits` (edit, and the
fields a loaded file changed), `organisations` (organisations and sources)."""
