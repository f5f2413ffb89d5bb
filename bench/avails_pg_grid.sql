-- avails_pg_grid.sql: PostgreSQL's whole-catalogue avails grid for `make bench-avails` - every
-- title x every territory for medium :m on day :d (days since 1970-01-01), exclusivity :x
-- wanted. One letter per cell, the first that applies, as the engine's av_status_on decides:
-- N no rights in, L rights in only below level :x, X an exclusive or sole signed license,
-- E a non-exclusive one (when :x > 0), H a holdback, A available. One row per title:
-- title_no | t:letter,... for the cells that are not N (a cell no window touches is N; the
-- client fills those in, as it would lay the grid out).
-- Not the module's SQL: the server builds grids with the engine (rights/avails_api.c).
WITH c AS (
    SELECT w.title_no, t,
           CASE WHEN NOT bool_or(w.kind = 1) THEN 'N'
                WHEN NOT bool_or(w.kind = 1 AND w.excl >= CAST(:x AS int)) THEN 'L'
                WHEN bool_or(w.kind = 2 AND NOT w.pending AND w.excl >= 1) THEN 'X'
                WHEN CAST(:x AS int) >= 1 AND bool_or(w.kind = 2 AND NOT w.pending) THEN 'E'
                WHEN bool_or(w.kind = 3) THEN 'H'
                ELSE 'A' END AS s
    FROM avail_window w, unnest(w.terrs) AS t
    WHERE w.during @> (date '1970-01-01' + CAST(:d AS int)) AND CAST(:m AS int) = ANY (w.media)
    GROUP BY w.title_no, t
)
SELECT title_no, string_agg(t || ':' || s, ',' ORDER BY t)
FROM c WHERE s <> 'N'
GROUP BY title_no
ORDER BY title_no;
