-- Which text of each definition was last applied (kept by volunteers/definitions.py, as Piccolo keeps `migration`).
CREATE TABLE IF NOT EXISTS schema_definition (
    name text PRIMARY KEY,
    sha256 text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
