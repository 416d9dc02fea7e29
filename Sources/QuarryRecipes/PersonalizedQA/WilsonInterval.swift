import Foundation

/// The Wilson score interval for a binomial proportion: unlike the normal approximation it stays inside
/// [0, 1] and is honest for small counts and rates near 0 or 1, which per-community rates often are.
public struct WilsonInterval: Sendable, Equatable, Codable {
    /// z for a two-sided 95 % interval.
    public static let z95 = 1.959963984540054

    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }

    /// The interval for `successes` out of `trials`; nil when there were no trials.
    public init?(successes: Int, trials: Int, z: Double = z95) {
        guard trials > 0, successes >= 0, successes <= trials else { return nil }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let centre = p + z2 / (2 * n)
        let spread = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        let denominator = 1 + z2 / n
        self.init(low: max(0, (centre - spread) / denominator), high: min(1, (centre + spread) / denominator))
    }

    public func contains(_ value: Double) -> Bool { value >= low && value <= high }

    /// Rounded to 4 decimals, so reports do not carry 17-digit fractions.
    var rounded: WilsonInterval {
        WilsonInterval(low: (low * 10_000).rounded() / 10_000, high: (high * 10_000).rounded() / 10_000)
    }
}
