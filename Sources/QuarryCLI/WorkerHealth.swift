import Foundation
import QuarryQueue

/// What a worker's health probes answer, from one look at its registry row (see `WorkerHealthServer`).
struct WorkerHealth: Sendable {
    enum Probe: Sendable { case liveness, readiness }

    let worker: String
    /// The row (nil: not registered yet), or why the database did not answer.
    let observed: Result<WorkerHeartbeat?, any Error>
    let lease: Duration
    let heartbeatInterval: Duration

    private var leaseSeconds: Double { Double(lease.milliseconds) / 1_000 }
    private var rescueSeconds: Double { Double((lease + heartbeatInterval).milliseconds) / 1_000 }

    /// Ready: the database answers, the worker is registered and alive, and its heartbeat is within the lease.
    var ready: Bool {
        guard case .success(let row?) = observed else { return false }
        return row.state == "alive" && row.secondsSinceHeartbeat < leaseSeconds
    }

    /// Live unless the database answers and shows the heartbeat past lease + heartbeat interval (or the
    /// worker marked gone by the rescuer): the heartbeat loop is stuck while the database is fine.
    var live: Bool {
        guard case .success(let row?) = observed else { return true }
        if row.state == "gone" { return false }
        return row.state != "alive" || row.secondsSinceHeartbeat < rescueSeconds
    }

    func passes(_ probe: Probe) -> Bool { probe == .liveness ? live : ready }

    /// The probe's body: what was observed, in one JSON object.
    var json: Data {
        var object: [String: Any] = ["worker": worker, "live": live, "ready": ready, "lease_seconds": leaseSeconds]
        switch observed {
        case .success(let row?):
            object["database"] = "ok"
            object["state"] = row.state
            object["seconds_since_heartbeat"] = (row.secondsSinceHeartbeat * 10).rounded() / 10
            object["in_flight"] = row.inFlight
        case .success(nil):
            object["database"] = "ok"
            object["state"] = "not registered"
        case .failure(let error):
            object["database"] = "unreachable"
            object["error"] = String(describing: error)
        }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }
}
