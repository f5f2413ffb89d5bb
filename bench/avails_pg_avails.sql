-- avails_pg_avails.sql: PostgreSQL's answer to the single-title avails question of
-- `make bench-avails` - what of title :t is available in territories :t1..:t5 (the first :nt)
-- x media :m1, :m2 (the first :nm) over the 730 days from day :s (days since 1970-01-01), for
-- exclusivity :x (0 non-exclusive, 1 sole, 2 exclusive). One row per territory x medium:
-- t | m | the available days as a datemultirange. Available = the rights in at level :x or
-- above, minus signed licenses that block (exclusive and sole ones always, non-exclusive ones
-- when :x > 0) and holdbacks; pending licenses block nothing. Languages are not asked.
-- Variables come from pgbench's \set (timing) or psql -v (the comparison with the engine).
-- Not the module's SQL: the server never asks PostgreSQL this (the engine answers it).
WITH q AS (
    SELECT daterange(date '1970-01-01' + CAST(:s AS int), date '1970-01-01' + CAST(:s AS int) + 730) AS win,
           ARRAY(SELECT DISTINCT unnest((ARRAY[CAST(:t1 AS int), CAST(:t2 AS int), CAST(:t3 AS int), CAST(:t4 AS int), CAST(:t5 AS int)])[1:(CAST(:nt AS int))]))::smallint[] AS terrs,
           ARRAY(SELECT DISTINCT unnest((ARRAY[CAST(:m1 AS int), CAST(:m2 AS int)])[1:(CAST(:nm AS int))]))::smallint[] AS media
), w AS (
    SELECT t, m, w.kind, w.excl, w.pending, w.during * q.win AS d
    FROM q, avail_window w, unnest(w.terrs) AS t, unnest(w.media) AS m
    WHERE w.title_no = CAST(:t AS int) AND w.during && q.win AND w.terrs && q.terrs AND w.media && q.media
      AND t = ANY (q.terrs) AND m = ANY (q.media)
), cells AS (
    SELECT t, m FROM q, unnest(q.terrs) AS t, unnest(q.media) AS m
)
SELECT c.t, c.m,
       coalesce(range_agg(w.d) FILTER (WHERE w.kind = 1 AND w.excl >= CAST(:x AS int)), '{}'::datemultirange)
       - coalesce(range_agg(w.d) FILTER (WHERE w.kind = 3
                  OR (w.kind = 2 AND NOT w.pending AND (w.excl > 0 OR CAST(:x AS int) > 0))), '{}'::datemultirange)
FROM cells c LEFT JOIN w ON w.t = c.t AND w.m = c.m
GROUP BY c.t, c.m
ORDER BY c.t, c.m;
