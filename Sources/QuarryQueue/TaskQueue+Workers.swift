import Foundation
import QuarryPostgres

/// A worker process's registry entry.
public struct WorkerRegistration: Sendable {
    public var id: String
    public var host: String
    public var pid: Int
    public var version: String
    public var concurrency: Int
    public var kinds: [String]?
    /// Endpoint names this worker can call (nil: none configured).
    public var endpoints: [String]?

    public init(id: String, host: String, pid: Int, version: String, concurrency: Int, kinds: [String]?) {
        self.id = id
        self.host = host
        self.pid = pid
        self.version = version
        self.concurrency = concurrency
        self.kinds = kinds
    }

    /// A registration for this process with a fresh id (`host:pid:random`).
    public static func current(version: String, concurrency: Int, kinds: [String]?) -> WorkerRegistration {
        let host = ProcessInfo.processInfo.hostName
        let pid = Int(ProcessInfo.processInfo.processIdentifier)
        let suffix = UUID().uuidString.prefix(8).lowercased()
        return WorkerRegistration(id: "\(host):\(pid):\(suffix)", host: host, pid: pid, version: version, concurrency: concurrency, kinds: kinds)
    }
}

extension TaskQueue {
    /// Registers (or re-registers) a worker under this database login: a worker id belongs to the login
    /// that registered it, and only that login may act for it (see migrations/0007).
    public func register(_ worker: WorkerRegistration) async throws {
        try await pool.query(
            """
            SELECT \(identifier: schema).register_worker(
                \(worker.id), \(worker.host), \(Int32(clamping: worker.pid)), \(worker.version), \(Int32(clamping: worker.concurrency)), \(worker.kinds)::text[],
                \(worker.endpoints)::text[])
            """)
    }

    public func setWorkerState(_ id: String, _ state: String) async throws {
        try await pool.query("SELECT \(identifier: schema).set_worker_state(\(id), \(state))")
    }

    /// Throws the database's own error (undefined schema, table or function) when the schema lacks
    /// Quarry's objects or this version's functions, so a process started before `quarry migrate`
    /// stops at once with a message, instead of retrying for ever.
    public func checkSchema() async throws {
        try await pool.query("SELECT \(identifier: schema).worker_acts_for('') FROM \(identifier: schema).builds LIMIT 0")
    }

    /// Live workers (heartbeat within the lease), for sharing rate limits across the pool.
    public func liveWorkerCount(kind: String? = nil) async throws -> Int {
        let rows = try await pool.query(
            """
            SELECT count(*) AS n FROM \(identifier: schema).workers
            WHERE state = 'alive'
              AND heartbeat_at > now() - \((configuration.leaseDuration).milliseconds) * interval '1 millisecond'
              AND (\(kind)::text IS NULL OR kinds IS NULL OR \(kind) = ANY(kinds))
            """)
        return try rows[0].decode(Int.self, "n")
    }
}
