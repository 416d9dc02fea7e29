import QuarryPostgres

/// The text of the statements on the queue's hot path, each a call of a function from
/// `migrations/0007_worker_least_privilege.sql` with `$n` parameters. `TaskQueue` binds values to exactly
/// this text, and `quarry bench queue` runs the same text under pgbench as its raw-SQL baseline, so the
/// baseline cannot drift from what workers run.
public struct QueueStatements: Sendable {
    public let schema: String

    public init(schema: String) {
        self.schema = schema
    }

    private var qualified: String { PostgresQuery.quoteIdentifier(schema) }

    /// `$1` worker, `$2` limit (int4), `$3` lease in milliseconds (int8), `$4` kinds (text[] or NULL),
    /// `$5` families (text[] or NULL), `$6` builds to skip (int8[] or NULL). Returns the claimed tasks.
    public var claim: String {
        "SELECT * FROM \(qualified).claim_tasks($1, $2, $3, $4::text[], $5::text[], $6::bigint[])"
    }

    /// `$1` worker, `$2` task ids, `$3` lease tokens, `$4` outputs (JSON text), `$5` prompt versions (text[],
    /// elements may be NULL). Returns the ids that were completed (the rest had lost their lease).
    public var complete: String {
        "SELECT id FROM \(qualified).complete_tasks($1, $2, $3, $4, $5) AS c(id)"
    }

    /// `text` with each `$n` replaced by `arguments[n - 1]` (SQL text: literals, psql variables), for
    /// tools such as pgbench that take no bound parameters.
    public static func substituting(_ text: String, _ arguments: [String]) -> String {
        var result = text
        // Highest first, so that `$1` does not eat the start of `$10`.
        for (index, argument) in arguments.enumerated().reversed() {
            result = result.replacingOccurrences(of: "$\(index + 1)", with: argument)
        }
        return result
    }
}
