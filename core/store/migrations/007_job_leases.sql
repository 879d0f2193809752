-- One job queue shared by several app processes (issue 14, DESIGN §4 "Engines"): a
-- running job is held under a lease. `lease_owner` names the claim (the runner's
-- host:pid:id and a claim number); `lease_until` is when it runs out unless renewed
-- (the database's clock). A job whose claim is void may be claimed again.
ALTER TABLE image_jobs ADD COLUMN lease_owner VARCHAR;
ALTER TABLE image_jobs ADD COLUMN lease_until TIMESTAMPTZ;

-- Image requests of one project are serialized (G4 reuse, G9 budget): each bumps this
-- counter first, so two at once, from any processes, conflict and rerun instead of
-- both missing the other's new job or both fitting a budget they exceed together.
ALTER TABLE projects ADD COLUMN image_requests INTEGER DEFAULT 0;
