import QuarryPostgres

/// A worker's registry entry as the database sees it: what its health probes report.
public struct WorkerHeartbeat: Sendable, Equatable {
    /// `alive`, `stopping`, `stopped` or `gone` (marked by the rescuer once the heartbeat is older than
    /// lease + heartbeat interval).
    public var state: String
    public var secondsSinceHeartbeat: Double
    public var inFlight: Int

    public init(state: String, secondsSinceHeartbeat: Double, inFlight: Int) {
        self.state = state
        self.secondsSinceHeartbeat = secondsSinceHeartbeat
        self.inFlight = inFlight
    }
}

extension TaskQueue {
    /// The registry entry of `worker`, with its heartbeat age by the database's clock; nil when it has not
    /// registered (yet).
    public func heartbeat(of worker: String) async throws -> WorkerHeartbeat? {
        let rows = try await pool.query(
            """
            SELECT state, in_flight::bigint AS in_flight, extract(epoch FROM now() - heartbeat_at)::double precision AS age
            FROM \(identifier: schema).workers WHERE id = \(worker)
            """)
        guard let row = rows.firstRow else { return nil }
        return WorkerHeartbeat(
            state: try row.decode(String.self, "state"), secondsSinceHeartbeat: try row.decode(Double.self, "age"),
            inFlight: try row.decode(Int.self, "in_flight"))
    }
}
