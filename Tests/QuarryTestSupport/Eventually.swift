/// Polls `condition` until it holds or `timeout` passes, and returns whether it held: the one way tests
/// wait for something to happen, instead of sleeping for a guessed time, which flakes on a loaded machine.
/// Use it inside `#expect`/`#require`, whose failure message shows the condition that never held.
public func eventually(
    timeout: Duration = .seconds(5), every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        // Polling, not synchronisation: the condition is checked again after a short pause.
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
