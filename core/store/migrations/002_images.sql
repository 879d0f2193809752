-- Reference images (G1–G9) and scene sign-off (R1).

ALTER TABLE project_assets ADD COLUMN master_image_hash VARCHAR;

-- Every image an instance has had (G6). Files are shared by key: a file is
-- deleted only when no attempt and no job refers to it.
CREATE TABLE image_attempts (
    id                VARCHAR PRIMARY KEY,
    instance_id       VARCHAR NOT NULL,
    project_id        VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL,      -- generated | uploaded | master | inherited
    image_key         VARCHAR NOT NULL,
    state_hash        VARCHAR NOT NULL,      -- the state the image shows (G7)
    job_id            VARCHAR,
    selected          BOOLEAN NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE image_jobs (
    id                VARCHAR PRIMARY KEY,
    project_id        VARCHAR NOT NULL,
    project_asset_id  VARCHAR NOT NULL,
    instance_id       VARCHAR NOT NULL,      -- the instance it was requested for
    state_hash        VARCHAR NOT NULL,
    provider          VARCHAR NOT NULL,
    model             VARCHAR NOT NULL,
    job_key           VARCHAR NOT NULL,      -- asset|state hash|provider|model (G4)
    status            VARCHAR NOT NULL,      -- queued running completed failed cancelled
    tries             INTEGER NOT NULL DEFAULT 0,
    error_code        VARCHAR,
    error_message     VARCHAR,
    estimated_cost    DOUBLE PRECISION NOT NULL,
    actual_cost       DOUBLE PRECISION,
    prompt            VARCHAR NOT NULL,
    aspect_ratio      VARCHAR NOT NULL,
    image_key         VARCHAR,
    requested_by      VARCHAR NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    started_at        TIMESTAMPTZ,
    finished_at       TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ NOT NULL
);

-- Instances waiting for a job's image (a job is shared across scenes, G4).
CREATE TABLE image_job_targets (
    job_id       VARCHAR NOT NULL,
    instance_id  VARCHAR NOT NULL,
    PRIMARY KEY (job_id, instance_id)
);

-- "Mark scene ready" sign-offs (R1): valid while the scene's state is the one signed.
CREATE TABLE scene_signoffs (
    id           VARCHAR PRIMARY KEY,
    scene_id     VARCHAR NOT NULL,
    fingerprint  VARCHAR NOT NULL,
    actor        VARCHAR NOT NULL,
    signed_at    TIMESTAMPTZ NOT NULL
);
