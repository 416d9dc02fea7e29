/// Runs `body` with `resource`, then `tearDown`, whether `body` returns or throws: the one shape every
/// scoped test helper here (`QueueHarness.with`, `withChildProcesses`, `TestDatabase.withPool`, …) shares,
/// so that a failed `#require` or a thrown error still stops what the test started.
public func withTearDown<Resource: Sendable, T>(
    of resource: Resource, isolation: isolated (any Actor)? = #isolation, tearDown: (Resource) async -> Void,
    _ body: (Resource) async throws -> T
) async throws -> T {
    do {
        let result = try await body(resource)
        await tearDown(resource)
        return result
    } catch {
        await tearDown(resource)
        throw error
    }
}
