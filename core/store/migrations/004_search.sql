-- Saved tag searches (T4) per project. No FOREIGN KEY constraints (DESIGN §4):
-- core checks the project exists and the query parses before saving.
CREATE TABLE saved_searches (
    id          VARCHAR PRIMARY KEY,
    project_id  VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    query       VARCHAR NOT NULL,
    created_by  VARCHAR NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
