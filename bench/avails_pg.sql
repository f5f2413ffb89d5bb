-- avails_pg.sql: the PostgreSQL side of `make bench-avails` (bench/avails.sh) - the windows
-- bench_avails_seed wrote as CSV, loaded into one table with daterange terms and GiST
-- indexes. Run twice by psql: with -v indexes=false (the tables; the script then loads the
-- CSV files with COPY ... FROM STDIN), then with -v indexes=true. Not the module's schema (that is
-- src/rights/schema.sql, JSON text dimensions): this is the layout a PostgreSQL developer
-- would pick to answer avails questions in SQL.
--
-- One row per window. Territories and media are smallint[] of indexes (territories: the ISO
-- table of rights/dims.h, 0..249; media: the organization's registry, 0..19), expanded from
-- groups and exclusions by the same parser the engine uses. Expanding further (a row per
-- territory and medium, so that both could be equality columns of the index) would make
-- about 100 million rows of the 1,000,000 windows: a WORLD right in of every medium alone is
-- 5,000 rows. So the index is on the title and the term, and territories and media are
-- filtered from the rows it finds (with && on the arrays, then unnest).
--   kind    1 right in, 2 license, 3 holdback
--   excl    0 non-exclusive, 1 sole, 2 exclusive (holdbacks 2: they block everything)
--   pending licenses of deals not signed yet (they block nothing)
--   during  [start, end), unbounded where the term is open
\set ON_ERROR_STOP on
\if :indexes
-- Single-title questions: the title (btree_gist equality) and the term (range overlap).
CREATE INDEX avail_window_title ON avail_window USING gist (title_no, during);
-- The grid: every window of one medium holding one day.
CREATE INDEX avail_window_during ON avail_window USING gist (during);
VACUUM ANALYZE avail_window;
ANALYZE avail_title;
ANALYZE avail_group;
\else
CREATE EXTENSION IF NOT EXISTS btree_gist;
DROP TABLE IF EXISTS avail_window, avail_title, avail_group;
CREATE TABLE avail_window (
    wid integer PRIMARY KEY,
    row_id text NOT NULL,
    title_no integer NOT NULL,
    kind smallint NOT NULL,
    excl smallint NOT NULL,
    pending boolean NOT NULL,
    media smallint[] NOT NULL,
    terrs smallint[] NOT NULL,
    langs text NOT NULL,
    during daterange NOT NULL
);
CREATE TABLE avail_title (title_no integer PRIMARY KEY, id text NOT NULL UNIQUE);
CREATE TABLE avail_group (g integer PRIMARY KEY, name text NOT NULL, terrs smallint[] NOT NULL);
\endif
