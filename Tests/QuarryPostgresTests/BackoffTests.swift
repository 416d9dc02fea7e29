import QuarryPostgres
import Testing

@Suite("Backoff")
struct BackoffTests {
    @Test("delays double up to the maximum and start over after reset")
    func sequence() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))
        #expect((0..<5).map { _ in backoff.next() } == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500), .milliseconds(500)])
        backoff.reset()
        #expect(backoff.next() == .milliseconds(100))
    }

    @Test("retrying stops at the first error it may not retry, and after success")
    func retrying() async throws {
        struct Passing: Error {}
        struct Permanent: Error {}
        var tries = 0
        let value = try await Backoff(initial: .milliseconds(1), maximum: .milliseconds(2)).retrying(shouldRetry: { $0 is Passing }) {
            tries += 1
            if tries < 3 { throw Passing() }
            return tries
        }
        #expect(value == 3)
        tries = 0
        await #expect(throws: Permanent.self) {
            try await Backoff(initial: .milliseconds(1), maximum: .milliseconds(2)).retrying(shouldRetry: { $0 is Passing }) {
                tries += 1
                throw Permanent()
            }
        }
        #expect(tries == 1)
    }

    @Test("retrying gives up when the next wait would pass the deadline")
    func deadline() async throws {
        struct Passing: Error {}
        var tries = 0
        await #expect(throws: Passing.self) {
            try await Backoff(initial: .milliseconds(50), maximum: .milliseconds(50)).retrying(
                until: ContinuousClock.now + .milliseconds(120), shouldRetry: { _ in true }
            ) {
                tries += 1
                throw Passing()
            }
        }
        #expect((2...3).contains(tries))
    }
}
