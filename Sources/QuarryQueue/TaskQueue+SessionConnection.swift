import QuarryPostgres

extension TaskQueue {
    /// Connection settings for what needs a session of its own (LISTEN, the coordinator's and rescuer's
    /// advisory locks): `configuration.sessionConnection` when set, else the pool's. A transaction-mode
    /// pooler hands each transaction to any server connection, so a LISTEN or a session lock taken
    /// through it would land on a connection other clients then use.
    public var sessionConfiguration: PostgresConfiguration {
        configuration.sessionConnection ?? pool.configuration
    }
}
