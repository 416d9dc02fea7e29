import QuarryPostgres

extension TestDatabase {
    /// A pool on the test database for the duration of `body`, closed when `body` returns or throws.
    public static func withPool<T>(
        applicationName: String = "quarry-test", maxConnections: Int = 4, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresPool) async throws -> T
    ) async throws -> T {
        try await withPool(PostgresPool(configuration: configuration(applicationName: applicationName), maxConnections: maxConnections), body)
    }

    /// Runs `body` with `pool`, and closes the pool when `body` returns or throws.
    public static func withPool<T>(
        _ pool: PostgresPool, isolation: isolated (any Actor)? = #isolation, _ body: (PostgresPool) async throws -> T
    ) async throws -> T {
        try await withTearDown(of: pool, tearDown: { await $0.close() }, body)
    }
}

extension PostgresListener {
    /// Starts a listener for the duration of `body`; it is stopped when `body` returns or throws (stopping
    /// it again inside `body` is harmless).
    public static func with<T>(
        configuration: PostgresConfiguration, channels: [String], isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresListener) async throws -> T
    ) async throws -> T {
        let listener = try PostgresListener(configuration: configuration, channels: channels)
        listener.start()
        return try await withTearDown(of: listener, tearDown: { $0.stop() }, body)
    }
}
