-- Screenplay import, asset detection and suggestions (issue 6: D1-D3, "Import
-- and export"). No FOREIGN KEY constraints and no triggers (DESIGN §4).

-- New assets a detector says a scene needs (D3). Accepting one creates (or
-- links) the project asset and its instance in the scene.
CREATE TABLE asset_suggestions (
    id                VARCHAR PRIMARY KEY,
    project_id        VARCHAR NOT NULL,
    branch_id         VARCHAR NOT NULL,
    scene_id          VARCHAR NOT NULL,
    name              VARCHAR NOT NULL,
    asset_type        VARCHAR NOT NULL,
    description       VARCHAR NOT NULL,
    reason            VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,      -- deterministic | gemini
    status            VARCHAR NOT NULL,      -- pending | accepted | dismissed
    project_asset_id  VARCHAR,               -- set when accepted
    version           INTEGER NOT NULL DEFAULT 1,
    created_by        VARCHAR NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    decided_by        VARCHAR,
    decided_at        TIMESTAMPTZ
);

-- One row per applied screenplay import that changed something (audit).
CREATE TABLE screenplay_imports (
    id                VARCHAR PRIMARY KEY,
    project_id        VARCHAR NOT NULL,
    branch_id         VARCHAR NOT NULL,
    format            VARCHAR NOT NULL,
    title             VARCHAR,
    file_sha256       VARCHAR NOT NULL,
    actor             VARCHAR NOT NULL,
    scenes_created    INTEGER NOT NULL,
    scenes_updated    INTEGER NOT NULL,
    assets_created    INTEGER NOT NULL,
    mappings_created  INTEGER NOT NULL,
    warnings          VARCHAR[] NOT NULL,
    imported_at       TIMESTAMPTZ NOT NULL
);
