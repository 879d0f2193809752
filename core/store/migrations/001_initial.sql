-- Core schema. No FOREIGN KEY constraints and no triggers (DESIGN §4): core
-- enforces references and writes history rows itself.

CREATE SEQUENCE history_id_seq START 1;

CREATE TABLE projects (
    id              VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    visual_style    VARCHAR NOT NULL DEFAULT '',
    budget          DOUBLE PRECISION,
    main_branch_id  VARCHAR NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE branches (
    id                      VARCHAR PRIMARY KEY,
    project_id              VARCHAR NOT NULL,
    name                    VARCHAR NOT NULL,
    parent_branch_id        VARCHAR,
    forked_at_scene_number  INTEGER,
    created_at              TIMESTAMPTZ NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE scenes (
    id                 VARCHAR PRIMARY KEY,
    project_id         VARCHAR NOT NULL,
    branch_id          VARCHAR NOT NULL,
    scene_number       INTEGER NOT NULL,
    label              VARCHAR,
    heading            VARCHAR NOT NULL,
    script_excerpt     VARCHAR NOT NULL DEFAULT '',
    end_state_summary  VARCHAR NOT NULL DEFAULT '',
    story_day          INTEGER,
    created_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (branch_id, scene_number)
);

CREATE TABLE shots (
    id           VARCHAR PRIMARY KEY,
    scene_id     VARCHAR NOT NULL,
    position     INTEGER NOT NULL,
    description  VARCHAR NOT NULL,
    UNIQUE (scene_id, position)
);

CREATE TABLE project_assets (
    id                VARCHAR PRIMARY KEY,
    project_id        VARCHAR NOT NULL,
    name              VARCHAR NOT NULL,
    aliases           VARCHAR[] NOT NULL,
    asset_type        VARCHAR NOT NULL,
    description       VARCHAR NOT NULL,
    master_image_key  VARCHAR,
    approved          BOOLEAN NOT NULL,
    global_asset_id   VARCHAR,
    version           INTEGER NOT NULL DEFAULT 1,
    -- bumped by every change to the asset's appearances, so concurrent changes
    -- to one asset's chain conflict in DuckDB instead of skewing
    chain_revision    INTEGER NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE global_assets (
    id                VARCHAR PRIMARY KEY,
    name              VARCHAR NOT NULL,
    aliases           VARCHAR[] NOT NULL,
    asset_type        VARCHAR NOT NULL,
    description       VARCHAR NOT NULL,
    master_image_key  VARCHAR,
    created_at        TIMESTAMPTZ NOT NULL
);

-- Which assets a scene is known to contain (filled by import and detection; I5).
CREATE TABLE scene_assets (
    scene_id          VARCHAR NOT NULL,
    project_asset_id  VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    PRIMARY KEY (scene_id, project_asset_id)
);

CREATE TABLE scene_asset_instances (
    id                            VARCHAR PRIMARY KEY,
    project_id                    VARCHAR NOT NULL,
    branch_id                     VARCHAR NOT NULL,
    scene_id                      VARCHAR NOT NULL,
    project_asset_id              VARCHAR NOT NULL,
    description_override          VARCHAR,
    inherited_description         VARCHAR,
    effective_description         VARCHAR NOT NULL,
    inherited_tags                VARCHAR[] NOT NULL,
    status_tags                   VARCHAR[] NOT NULL,
    carry_forward                 BOOLEAN NOT NULL,
    inherited_from_instance_id    VARCHAR,
    locked                        BOOLEAN NOT NULL,
    pending_review                BOOLEAN NOT NULL,
    upstream_description_changed  BOOLEAN NOT NULL,
    upstream_tags_changed         BOOLEAN NOT NULL,
    version                       INTEGER NOT NULL,
    modification_count            INTEGER NOT NULL,
    last_modified_field           VARCHAR,
    modification_reason           VARCHAR,
    created_at                    TIMESTAMPTZ NOT NULL,
    updated_at                    TIMESTAMPTZ NOT NULL,
    UNIQUE (scene_id, project_asset_id)
);

-- Append-only audit log (A1): one row per changed field, ordered by id.
CREATE TABLE instance_history (
    id                BIGINT PRIMARY KEY DEFAULT nextval('history_id_seq'),
    instance_id       VARCHAR NOT NULL,
    project_id        VARCHAR NOT NULL,
    branch_id         VARCHAR NOT NULL,
    scene_id          VARCHAR NOT NULL,
    project_asset_id  VARCHAR NOT NULL,
    field             VARCHAR NOT NULL,
    old_value         VARCHAR,
    new_value         VARCHAR,
    actor             VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    reason            VARCHAR,
    changed_at        TIMESTAMPTZ NOT NULL
);
