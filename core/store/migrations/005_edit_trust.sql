-- Editing you can trust (issue 11: T5, A3, A5, A6). No FOREIGN KEY constraints.

-- A5: the upstream value a flagged instance last saw (the inherited description,
-- or the master's when it inherits none; the inherited tags). Set when its flag
-- is raised, NULL while the field is not flagged; the flag clears by itself
-- when the upstream value comes back to it. Rows flagged before this migration
-- have NULL here and keep their flag until the producer answers it.
ALTER TABLE scene_asset_instances ADD COLUMN seen_upstream_description VARCHAR;
ALTER TABLE scene_asset_instances ADD COLUMN seen_upstream_tags VARCHAR[];

-- A3, A6: the rows one change wrote share a change id (a save can be undone
-- whole), and each row records the instance's version after that change (the
-- fields changed since a version are known in one query). NULL on older rows.
ALTER TABLE instance_history ADD COLUMN change_id VARCHAR;
ALTER TABLE instance_history ADD COLUMN instance_version INTEGER;
