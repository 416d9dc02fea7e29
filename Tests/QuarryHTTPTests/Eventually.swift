/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
/// Tests wait on observable state this way instead of fixed sleeps, which flake on a loaded machine.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while !condition() {
        if clock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}
