-- One job queue shared by several app processes (issue 14, DESIGN §4 "Engines"): a
-- running job is held under a lease. `lease_owner` names the claim (the runner's
-- host:pid:id and a claim number); `lease_until` is when it runs out unless renewed
-- (the database's clock). A job whose claim is void may be claimed again.
ALTER TABLE image_jobs ADD COLUMN lease_owner VARCHAR;
ALTER TABLE image_jobs ADD COLUMN lease_until TIMESTAMPTZ;
