import Synchronization
/// The live counters behind `SimulatorStats`, plus the hallucination ground truth. Every method takes the
/// lock for a few dictionary updates only; nothing is held across a sleep or an I/O.
final class StatsRecorder: Sendable {
    /// What a clean 200 delivered, for token and ground-truth accounting.
    struct Delivery: Sendable {
        var promptTokens: Int
        var completionTokens: Int
        /// Nil for endpoints without generated text (embeddings) and for judge answers.
        var hallucinated: Bool?
        var judge: Bool
        var completionID: String?
        var bodyHash: UInt64?
    }

    /// How many hallucinated completion ids are remembered; the counters keep counting past it.
    static let maxRememberedIDs = 1_000_000

    private struct State: Sendable {
        var stats = SimulatorStats()
        var requestSequence = 0
        var bodyCounts: [UInt64: Int] = [:]
        var succeededBodies: Set<UInt64> = []
        var hallucinatedIDs: [String] = []
        var hallucinatedIDSet: Set<String> = []
    }

    private let state = Mutex(State())

    /// Counts an arriving request and returns its sequence number (for `x-request-id`).
    func begin(endpoint: String) -> Int {
        state.withLock { state in
            state.requestSequence += 1
            state.stats.totalRequests += 1
            state.stats.inFlight += 1
            state.stats.requestsByEndpoint[endpoint, default: 0] += 1
            return state.requestSequence
        }
    }

    func recordBody(hash: UInt64) {
        state.withLock { state in
            let seen = state.bodyCounts[hash, default: 0]
            state.bodyCounts[hash] = seen + 1
            if seen == 0 {
                state.stats.uniqueBodies += 1
            } else {
                state.stats.duplicateRequests += 1
            }
        }
    }

    func recordFault(_ kind: FaultKind) {
        state.withLock { $0.stats.faultsInjected[kind.rawValue, default: 0] += 1 }
    }

    func recordLimiterRejection() {
        state.withLock { $0.stats.rateLimitRejections += 1 }
    }

    /// Counts a finished request; `delivery` only for clean 200s.
    func finish(status: String, delivery: Delivery? = nil) {
        state.withLock { state in
            state.stats.inFlight -= 1
            state.stats.requestsByStatus[status, default: 0] += 1
            guard let delivery else { return }
            state.stats.promptTokens += delivery.promptTokens
            state.stats.completionTokens += delivery.completionTokens
            if let hash = delivery.bodyHash, !state.succeededBodies.insert(hash).inserted {
                state.stats.duplicateSuccessfulRequests += 1
            }
            if delivery.judge {
                state.stats.judgeRequests += 1
            } else if let hallucinated = delivery.hallucinated {
                if hallucinated {
                    state.stats.hallucinated += 1
                    if let id = delivery.completionID, state.hallucinatedIDs.count < Self.maxRememberedIDs,
                        state.hallucinatedIDSet.insert(id).inserted
                    {
                        state.hallucinatedIDs.append(id)
                    }
                } else {
                    state.stats.clean += 1
                }
            }
        }
    }

    var snapshot: SimulatorStats {
        state.withLock { $0.stats }
    }

    /// Hallucinated completion ids in the order first served, with the counters.
    var hallucinations: (ids: [String], hallucinated: Int, clean: Int) {
        state.withLock { ($0.hallucinatedIDs, $0.stats.hallucinated, $0.stats.clean) }
    }

    /// Body hashes seen more than once, with their counts (hex keys), for `GET /stats/duplicates`.
    var duplicateBodies: [String: Int] {
        state.withLock { state in
            var result: [String: Int] = [:]
            for (hash, count) in state.bodyCounts where count > 1 {
                result[String(hash, radix: 16)] = count
            }
            return result
        }
    }

    /// Zeroes everything except `inFlight`, which requests still running will decrement.
    func reset() {
        state.withLock { state in
            let inFlight = state.stats.inFlight
            let sequence = state.requestSequence
            state = State()
            state.stats.inFlight = inFlight
            state.requestSequence = sequence
        }
    }
}
