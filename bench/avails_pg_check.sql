-- avails_pg_check.sql: PostgreSQL's conflict check of one proposed exclusive right for
-- `make bench-avails` - title :t, territories: named group :g when :gsel = 1 (avail_group),
-- else the first :nt of :t1..:t3; medium :m; :y years (365 days each) from day :s. The
-- conflicts, one row per territory: reason | t | the blocking row's id - 'rights' where the
-- exclusive rights in do not cover the whole term, then every signed license (any
-- exclusivity: an exclusive request is blocked by both) and holdback whose term overlaps
-- (&&) in that territory and medium. Pending licenses block nothing.
-- Not the module's SQL: the server checks conflicts with the engine (rights/conflicts.c).
WITH q AS (
    SELECT daterange(date '1970-01-01' + CAST(:s AS int), date '1970-01-01' + CAST(:s AS int) + 365 * CAST(:y AS int)) AS win,
           ARRAY(SELECT DISTINCT unnest(CASE WHEN CAST(:gsel AS int) = 1
                     THEN (SELECT terrs FROM avail_group WHERE g = CAST(:g AS int))
                     ELSE (ARRAY[CAST(:t1 AS int), CAST(:t2 AS int), CAST(:t3 AS int)])[1:(CAST(:nt AS int))]::smallint[] END))::smallint[] AS terrs
), cover AS (
    SELECT t, range_agg(w.during) AS r
    FROM q, avail_window w, unnest(w.terrs) AS t
    WHERE w.title_no = CAST(:t AS int) AND w.during && q.win AND w.kind = 1 AND w.excl = 2
      AND CAST(:m AS int) = ANY (w.media) AND w.terrs && q.terrs AND t = ANY (q.terrs)
    GROUP BY t
)
SELECT 'rights' AS reason, q.t, NULL AS row_id
FROM (SELECT q.win, unnest(q.terrs) AS t FROM q) q LEFT JOIN cover c ON c.t = q.t
WHERE c.r IS NULL OR NOT c.r @> q.win
UNION ALL
SELECT CASE w.kind WHEN 3 THEN 'holdback' WHEN 2 THEN 'license' END, t, w.row_id
FROM q, avail_window w, unnest(w.terrs) AS t
WHERE w.title_no = CAST(:t AS int) AND w.during && q.win AND (w.kind = 3 OR (w.kind = 2 AND NOT w.pending))
  AND CAST(:m AS int) = ANY (w.media) AND w.terrs && q.terrs AND t = ANY (q.terrs)
ORDER BY 2, 1, 3;
