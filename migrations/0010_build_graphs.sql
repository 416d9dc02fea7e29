-- Per-build task graphs, and task keys in numeric order.
--
-- graph: the rules the coordinator expands a build's tasks by (edges, joins, the build's parameters), written
-- at submit from the build's own parameters, so a restarted coordinator expands exactly the same graph and
-- builds of one recipe can differ in shape. A build without one is left to whoever created it.
ALTER TABLE builds ADD COLUMN graph jsonb;

-- Keys embed record positions and fan-out indexes (r2/…/score/10); exports read them in this collation so
-- r2 comes before r10 and /2 before /10.
CREATE COLLATION numeric_keys (provider = icu, locale = 'und-u-kn-true');
