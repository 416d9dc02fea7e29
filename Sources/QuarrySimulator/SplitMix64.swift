import Foundation

/// SplitMix64: a tiny, fast, seedable PRNG. Every "random" choice the simulator makes goes through one
/// of these so that the same seed (or the same request hash) always yields the same output.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private(set) var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 finaliser on its own; also used to combine hashes.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Combines two 64-bit values into one well-mixed value (order matters).
    static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        mix(a ^ mix(b &+ 0x9E37_79B9_7F4A_7C15))
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform integer in `range` (the range must not be empty).
    mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % width)
    }

    /// Uniform index in `0..<count` (count must be positive).
    mutating func nextIndex(_ count: Int) -> Int {
        Int(next() % UInt64(count))
    }

    /// Standard normal sample (Box-Muller); used by the log-normal latency model.
    mutating func nextGaussian() -> Double {
        let u1 = max(nextUnit(), 1e-12)
        let u2 = nextUnit()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }
}
