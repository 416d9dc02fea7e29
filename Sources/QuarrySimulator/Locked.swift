import Foundation

/// A value guarded by a lock, for the simulator's small shared state (stats, limiter buckets, fault RNG).
///
/// `@unchecked Sendable` is safe because `value` is private and only ever read or written inside
/// `withLock`, which holds `lock` for the whole access; `Value: Sendable` keeps whatever leaves the
/// critical section safe to hand to another task. Critical sections must stay short and must never
/// `await` (the closure is synchronous, so they cannot), which is what keeps latency sleeps lock-free.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
