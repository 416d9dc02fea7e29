import QuarryPostgres

extension Worker {
    /// True once the worker has registered and its LISTEN connection is up, so that a task enqueued from
    /// now on wakes it at once instead of at its next poll. Stays true across a reconnect's short gap
    /// (notifications sent then are lost; the poll and the claim made on reconnecting cover them).
    public var isListening: Bool { state.withLock { $0.listening } }

    /// Every listener event is a reason to claim: a notification means new work, a (re)connect means
    /// notifications may have been missed.
    func listenerDelivered(_ event: PostgresListener.Event) {
        if case .connected = event { state.withLock { $0.listening = true } }
        claimWake.signal()
    }
}
