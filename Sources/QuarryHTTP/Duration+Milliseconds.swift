extension Duration {
    /// Whole milliseconds for libcurl's `_MS` options, rounded up so that a positive duration never
    /// becomes 0, which libcurl reads as "no timeout at all".
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = self.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let (wholeMs, remainder) = attoseconds.quotientAndRemainder(dividingBy: attosecondsPerMillisecond)
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return Int.max }
        return Int(clamping: ms + wholeMs + (remainder > 0 ? 1 : 0))
    }
}
