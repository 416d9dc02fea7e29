import Synchronization

/// Calls with the same cache key that are in flight in this process at the same moment: the first one
/// (the leader) goes to the endpoint, the others wait for its outcome instead of paying for the same answer
/// again. The response cache covers calls that come after an answer is stored; this covers the ones that
/// arrive while it is still on its way (the same prompt in many tasks of a fresh build).
///
/// Only answers are shared. When the leader fails, each follower makes the call itself: a failed call is not
/// paid for, and each failure must count for itself (three 401s in a row pause a build; a shared one would
/// count once). A follower also calls for itself when the leader's value has another type (the same body
/// decoded as a different output type).
final class InFlightCalls: Sendable {
    private typealias Outcome = Result<any Sendable, any Error>
    private typealias Waiter = CheckedContinuation<Outcome, Never>

    /// Followers waiting per key; a key is present while its leader runs.
    private let waiting = Mutex<[[UInt8]: [Waiter]]>([:])

    /// Runs `call` for `key` unless an identical call is already running, in which case this waits for that
    /// one. Returns the value and whether it was shared (this caller did not pay for it).
    func run<Value: Sendable>(key: [UInt8], _ call: () async throws -> Value) async throws -> (value: Value, shared: Bool) {
        let isLeader = waiting.withLock { waiting in
            guard waiting[key] == nil else { return false }
            waiting[key] = []
            return true
        }
        if isLeader {
            let leaderValue: Result<Value, any Error>
            do {
                leaderValue = .success(try await call())
            } catch {
                leaderValue = .failure(error)
            }
            let outcome: Outcome = leaderValue.map { $0 }
            let followers = waiting.withLock { $0.removeValue(forKey: key) } ?? []
            for follower in followers { follower.resume(returning: outcome) }
            return (try leaderValue.get(), false)
        }
        let outcome = await withCheckedContinuation { (continuation: Waiter) in
            let registered = waiting.withLock { waiting in
                guard var followers = waiting[key] else { return false }
                followers.append(continuation)
                waiting[key] = followers
                return true
            }
            // The leader finished between the check above and now: nothing to wait for.
            if !registered { continuation.resume(returning: .failure(CancellationError())) }
        }
        if case .success(let value as Value) = outcome {
            return (value, true)
        }
        return (try await call(), false)
    }
}
