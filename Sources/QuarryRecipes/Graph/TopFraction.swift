/// "Keep the top α": the ⌈α·n⌉ items with the largest value (ties: the earlier item first), returned in
/// their original order. Difficulty filtering and similar selections in join handlers use this rather
/// than SQL.
public enum TopFraction {
    public static func select<Item>(_ items: [Item], fraction: Double, by value: (Item) -> Double) -> [Item] {
        guard !items.isEmpty, fraction > 0 else { return [] }
        // A hair below the product before rounding up, so 0.3 × 10 (2.9999999999999996 or 3.0000000000000004 in
        // binary) keeps 3, not 4.
        let keep = min(items.count, Int((min(fraction, 1) * Double(items.count) - 1e-9).rounded(.up)))
        // NaN (a failed measurement) ranks last, so the sort's order stays strict.
        let values = items.map { let v = value($0); return v.isNaN ? -Double.infinity : v }
        let ranked = items.indices.sorted { a, b in
            let (va, vb) = (values[a], values[b])
            return va == vb ? a < b : va > vb
        }
        return ranked.prefix(keep).sorted().map { items[$0] }
    }
}
