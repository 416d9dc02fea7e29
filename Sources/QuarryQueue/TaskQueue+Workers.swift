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
    public func register(_ worker: WorkerRegistration) async throws {
        try await pool.query(
            """
            INSERT INTO \(identifier: schema).workers (id, host, pid, version, concurrency, kinds)
            VALUES (\(worker.id), \(worker.host), \(Int32(worker.pid)), \(worker.version), \(Int32(worker.concurrency)), \(worker.kinds))
            ON CONFLICT (id) DO UPDATE SET state = 'alive', heartbeat_at = now(), stopped_at = NULL
            """)
    }

    public func setWorkerState(_ id: String, _ state: String) async throws {
        try await pool.query(
            """
            UPDATE \(identifier: schema).workers
            SET state = \(state), in_flight = CASE WHEN \(state) = 'stopped' THEN 0 ELSE in_flight END,
                stopped_at = CASE WHEN \(state) IN ('stopped', 'gone') THEN now() END
            WHERE id = \(id)
            """)
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
