extension Duration {
    /// Whole milliseconds (truncated), for SQL intervals and poll(2) timeouts; saturates instead of trapping
    /// on durations too long for an `Int`.
    public var milliseconds: Int {
        let (seconds, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000)
        if overflow { return components.seconds < 0 ? Int.min : Int.max }
        return Int(clamping: seconds.addingReportingOverflow(components.attoseconds / 1_000_000_000_000_000).partialValue)
    }
}
