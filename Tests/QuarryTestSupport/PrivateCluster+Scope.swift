extension PrivateCluster {
    /// Starts a PostgreSQL server of the test's own, runs `body` with it, then stops it and deletes its
    /// directory, whether `body` returns or throws.
    public static func with<T>(isolation: isolated (any Actor)? = #isolation, _ body: (PrivateCluster) async throws -> T) async throws -> T {
        try await withTearDown(of: try PrivateCluster(), tearDown: { $0.cluster.destroy() }, body)
    }
}
