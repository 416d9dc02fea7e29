import Testing

@testable import QuarryCLI

@Suite("bench build's endpoint-and-queue timeline")
struct BuildRateTimelineTests {
    @Test("one line per window: per-second averages against the allowed rate, the queue at the window's end")
    func windows() {
        var samples: [BuildRateTimeline.Sample] = []
        for second in 0..<7 {
            samples.append(
                BuildRateTimeline.Sample(
                    answered: second < 5 ? 190 : 50, refused: second < 5 ? 4 : 0, failed: 2, inFlight: 38, ready: 100 - second,
                    waiting: 1, running: 256))
        }
        let lines = BuildRateTimeline(samples: samples).lines(allowedPerSecond: 200, window: 5)
        #expect(lines.count == 3)
        let first = lines[1].split(separator: " ").map(String.init)
        #expect(first.contains("190.0") && first.contains("0.95") && first.contains("4.0") && first.contains("96"))
        let last = lines[2].split(separator: " ").map(String.init)
        #expect(lines[2].contains("5–  7 s") && last.contains("50.0") && last.contains("0.25") && last.contains("94"))
    }
}
