-- Roles for a shared tracker on PostgreSQL: who may read, who may write.
-- Run it as the database's owner, connected to the tracker's database, after the tables exist
-- (`tracker init` or `tracker db copy --to URL` made by the owner). Then give people logins in
-- one of the two roles, for example:
--   CREATE ROLE amina LOGIN PASSWORD '…' IN ROLE tracker_writer;
--   CREATE ROLE desk_reader LOGIN PASSWORD '…' IN ROLE tracker_reader;
-- Only the owner upgrades the schema (a new tracker version opened by the owner once), copies
-- trackers in with `db copy --force`, or changes these grants.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tracker_reader') THEN
        CREATE ROLE tracker_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tracker_writer') THEN
        CREATE ROLE tracker_writer NOLOGIN;
    END IF;
    -- Reports build a temporary table; both roles may connect and do that.
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO tracker_reader, tracker_writer', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO tracker_reader, tracker_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO tracker_reader, tracker_writer;

-- Writers add and change commitments, organisations and sources, and re-tag them ...
GRANT INSERT, UPDATE ON organisation, source, commitment TO tracker_writer;
-- commitment_tag: UPDATE too, to keep its copies of the commitment's state (models.CommitmentTag).
GRANT INSERT, UPDATE, DELETE ON commitment_tag TO tracker_writer;
GRANT INSERT, DELETE ON commitment_partner TO tracker_writer;
-- load_snapshot: what each loaded file last said, kept by loads (models.LoadSnapshot).
GRANT INSERT, UPDATE ON load_snapshot TO tracker_writer;
-- ... and append to the history, which the server keeps append-only: no UPDATE, no DELETE.
GRANT INSERT ON event TO tracker_writer;
-- evidence: the pieces each event cites, written with the event, append-only too (models.Evidence).
GRANT INSERT ON evidence TO tracker_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO tracker_writer;
