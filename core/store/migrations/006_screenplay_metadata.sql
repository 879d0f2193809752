-- What a screenplay says beyond scenes and names (issue 13: N1-N4). No FOREIGN KEY
-- constraints (DESIGN §4); core keeps the references.

-- N1: the heading's scene data, never part of a location's name. `setting` is INT,
-- EXT, INT/EXT or EST; `qualifiers` the era, flashback, dream, ... (FLASHBACK, 1973).
ALTER TABLE scenes ADD COLUMN setting VARCHAR;
ALTER TABLE scenes ADD COLUMN time_of_day VARCHAR;
ALTER TABLE scenes ADD COLUMN qualifiers VARCHAR[];

-- N1: the script's text before its first heading, when it is no scene of its own.
ALTER TABLE projects ADD COLUMN script_prologue VARCHAR;

-- N2: a sub-location's enclosing place (a location of the same project).
ALTER TABLE project_assets ADD COLUMN parent_asset_id VARCHAR;
-- N3: the character this one is another look of (YOUNG EDWARD of EDWARD).
ALTER TABLE project_assets ADD COLUMN look_of_asset_id VARCHAR;
-- N4: where the master description came from: 'script' (the introduction line),
-- 'placeholder' (to be written); NULL when a person wrote it.
ALTER TABLE project_assets ADD COLUMN description_source VARCHAR;
