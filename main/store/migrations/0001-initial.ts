import type { Migration } from './migration.ts';

/*
 * The first schema. Conventions:
 * - every table is STRICT, so a wrong type is an error rather than a silent conversion;
 * - times are INTEGER milliseconds since the Unix epoch (`*_at`), except photos.mtime_ms, which is REAL
 *   because fs.Stats.mtimeMs has a fraction and rescans compare it exactly;
 * - booleans are INTEGER 0/1 with a CHECK.
 *
 * ON DELETE policy: what the user made (names, decisions, manual faces, folders' photos) is never deleted as a side
 * effect. References to such rows are RESTRICT, so deleting a parent that still has them fails and the repository
 * must delete them on purpose (see forget.ts). Only derived data, which a rerun rebuilds, cascades:
 * thumbnails and embeddings follow their face, clusters follow their run, a cluster or cover pointer becomes NULL.
 */
const schema = `
CREATE TABLE library_roots (
  id           INTEGER PRIMARY KEY,
  path         TEXT    NOT NULL UNIQUE,
  added_at     INTEGER NOT NULL,
  online       INTEGER NOT NULL DEFAULT 1 CHECK (online IN (0, 1)),
  last_scan_at INTEGER
) STRICT;

CREATE TABLE photos (
  id           INTEGER PRIMARY KEY,
  root_id      INTEGER NOT NULL REFERENCES library_roots (id) ON DELETE RESTRICT,
  path         TEXT    NOT NULL UNIQUE,                  -- absolute
  size         INTEGER NOT NULL CHECK (size >= 0),       -- bytes
  mtime_ms     REAL    NOT NULL,
  content_hash TEXT,                                     -- NULL until hashed; finds a moved file
  width        INTEGER CHECK (width > 0),                -- upright, after EXIF orientation
  height       INTEGER CHECK (height > 0),
  taken_at     TEXT,                                     -- EXIF date as ISO 8601, offset only when EXIF gives one
  status       TEXT    NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failed', 'missing')),
  error        TEXT,
  scanned_at   INTEGER NOT NULL,
  detector_id  TEXT,                                     -- detector whose faces are stored; NULL: not detected yet
  CHECK (status <> 'failed' OR error IS NOT NULL)
) STRICT;
CREATE INDEX photos_by_root ON photos (root_id);
CREATE INDEX photos_by_content_hash ON photos (content_hash) WHERE content_hash IS NOT NULL;

-- Boxes and landmarks are in pixels of the upright original image, origin top-left.
CREATE TABLE faces (
  id         INTEGER PRIMARY KEY,
  photo_id   INTEGER NOT NULL REFERENCES photos (id) ON DELETE RESTRICT,
  box_x      REAL    NOT NULL,
  box_y      REAL    NOT NULL,
  box_w      REAL    NOT NULL CHECK (box_w > 0),
  box_h      REAL    NOT NULL CHECK (box_h > 0),
  landmarks  TEXT    CHECK (landmarks IS NULL OR (json_valid(landmarks) AND json_array_length(landmarks) = 5)),
  score      REAL    CHECK (score IS NULL OR score BETWEEN 0 AND 1),
  quality    REAL,
  blur       REAL,
  source     TEXT    NOT NULL CHECK (source IN ('detected', 'manual')),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX faces_by_photo ON faces (photo_id);

-- Thumbnails live apart from faces so that scanning a million faces reads small rows, not JPEG overflow pages.
CREATE TABLE face_thumbnails (
  face_id INTEGER PRIMARY KEY REFERENCES faces (id) ON DELETE CASCADE,
  jpeg    BLOB    NOT NULL
) STRICT;

-- One vector per face and model: switching models adds rows and keeps every face, name and decision.
-- vector: little-endian float32, dimensions = length(vector) / 4.
CREATE TABLE embeddings (
  face_id    INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
  model_id   TEXT    NOT NULL,
  vector     BLOB    NOT NULL CHECK (length(vector) > 0 AND length(vector) % 4 = 0),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (face_id, model_id)
) STRICT;
CREATE INDEX embeddings_by_model ON embeddings (model_id, face_id);

-- name_key is the name folded for comparison (NFC, lower case; see persons-repository.ts): SQLite's NOCASE folds
-- ASCII only, and "Émile" and "ÉMILE" must be the same person.
CREATE TABLE persons (
  id            INTEGER PRIMARY KEY,
  name          TEXT    CHECK (name IS NULL OR length(trim(name)) > 0),
  name_key      TEXT,
  hidden        INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
  favourite     INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
  birth_date    TEXT    CHECK (birth_date IS NULL OR date(birth_date) IS birth_date),  -- YYYY-MM-DD, a real day
  cover_face_id INTEGER REFERENCES faces (id) ON DELETE SET NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  CHECK ((name IS NULL) = (name_key IS NULL))
) STRICT;
CREATE UNIQUE INDEX persons_by_name_key ON persons (name_key) WHERE name_key IS NOT NULL;
CREATE INDEX persons_by_cover_face ON persons (cover_face_id);

CREATE TABLE cluster_runs (
  id          INTEGER PRIMARY KEY,
  model_id    TEXT    NOT NULL,
  threshold   REAL    NOT NULL,
  linkage     TEXT    NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  status      TEXT    NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  error       TEXT
) STRICT;
CREATE INDEX cluster_runs_by_model ON cluster_runs (model_id, started_at);

-- label: stable across runs (the clustering matches new clusters to old ones), so the UI does not reshuffle.
CREATE TABLE clusters (
  id     INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES cluster_runs (id) ON DELETE CASCADE,
  label  TEXT    NOT NULL,
  UNIQUE (run_id, label)
) STRICT;

-- Who a face is. source 'user' rows are decisions: clustering never overwrites them (assignments-repository.ts).
-- person_id NULL on a user row means the user took the face away from everyone.
CREATE TABLE face_assignments (
  face_id    INTEGER PRIMARY KEY REFERENCES faces (id) ON DELETE RESTRICT,
  person_id  INTEGER REFERENCES persons (id) ON DELETE RESTRICT,
  cluster_id INTEGER REFERENCES clusters (id) ON DELETE SET NULL,
  source     TEXT    NOT NULL CHECK (source IN ('auto', 'user')),
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX face_assignments_by_person ON face_assignments (person_id);
CREATE INDEX face_assignments_by_cluster ON face_assignments (cluster_id);

-- The user's must-link ('is') and cannot-link ('not') statements, used by clustering.
-- One row per face and person (a newer statement replaces the older), at most one 'is' per face.
CREATE TABLE constraints (
  face_id    INTEGER NOT NULL REFERENCES faces (id) ON DELETE RESTRICT,
  person_id  INTEGER NOT NULL REFERENCES persons (id) ON DELETE RESTRICT,
  kind       TEXT    NOT NULL CHECK (kind IN ('is', 'not')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (face_id, person_id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX constraints_one_is_per_face ON constraints (face_id) WHERE kind = 'is';
CREATE INDEX constraints_by_person ON constraints (person_id);

CREATE TABLE settings (
  key        TEXT    PRIMARY KEY,
  value      TEXT    NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;

export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(schema);
  },
};
