import Foundation

/// "Keep the top α by a numeric value", for handlers of a fan-in (difficulty filtering).
public enum TopFraction {
    /// The `ceil(fraction · n)` items with the largest `value` (ties: the lower index first), in their
    /// original order. `fraction` is clamped to 0...1; NaN values rank below every number.
    public static func select<Item>(_ items: [Item], fraction: Double, by value: (Item) -> Double) -> [Item] {
        let clamped = fraction.isNaN ? 0 : min(max(fraction, 0), 1)
        // The small tolerance keeps e.g. 0.3 · 10 (3.0000000000000004 in binary) at 3, not 4.
        let keep = min(items.count, Int((clamped * Double(items.count) - 1e-9).rounded(.up)))
        guard keep > 0 else { return [] }
        let values = items.map(value)
        let ranked = items.indices.sorted { lhs, rhs in
            let (a, b) = (values[lhs], values[rhs])
            if a.isNaN || b.isNaN { return !a.isNaN && b.isNaN || (a.isNaN && b.isNaN && lhs < rhs) }
            return a != b ? a > b : lhs < rhs
        }
        let kept = Set(ranked.prefix(keep))
        return items.indices.filter { kept.contains($0) }.map { items[$0] }
    }
}
