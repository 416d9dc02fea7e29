import Foundation
import QuarryQueue
import Testing

@testable import QuarryCLI

/// What `quarry worker --health-port` answers for each state of the worker's registry row.
@Suite("Worker health probes")
struct WorkerHealthTests {
    struct Unreachable: Error {}

    static func health(_ observed: Result<WorkerHeartbeat?, any Error>) -> WorkerHealth {
        WorkerHealth(worker: "host:1:abc", observed: observed, lease: .seconds(30), heartbeatInterval: .seconds(5))
    }

    static func row(_ state: String, _ age: Double) -> Result<WorkerHeartbeat?, any Error> {
        .success(WorkerHeartbeat(state: state, secondsSinceHeartbeat: age, inFlight: 3))
    }

    @Test("alive with a fresh heartbeat: live and ready")
    func fresh() {
        let health = Self.health(Self.row("alive", 2))
        #expect(health.live && health.ready)
        let body = String(decoding: health.json, as: UTF8.self)
        #expect(body.contains(#""state":"alive""#) && body.contains(#""database":"ok""#) && body.contains(#""in_flight":3"#))
    }

    @Test("heartbeat older than the lease: not ready, still live until lease + interval")
    func late() {
        let late = Self.health(Self.row("alive", 31))
        #expect(!late.ready && late.live)
        let lapsed = Self.health(Self.row("alive", 36))
        #expect(!lapsed.ready && !lapsed.live)
    }

    @Test("marked gone by the rescuer: neither live nor ready")
    func gone() {
        let health = Self.health(Self.row("gone", 40))
        #expect(!health.ready && !health.live)
    }

    @Test("database unreachable: not ready, but live (a restart would not help)")
    func unreachable() {
        let health = Self.health(.failure(Unreachable()))
        #expect(!health.ready && health.live)
        #expect(String(decoding: health.json, as: UTF8.self).contains(#""database":"unreachable""#))
    }

    @Test("not registered yet or draining: not ready, live")
    func startingOrStopping() {
        for observed in [Self.health(.success(nil)), Self.health(Self.row("stopping", 1)), Self.health(Self.row("stopped", 1))] {
            #expect(!observed.ready && observed.live)
        }
    }
}
