/// A rate for a recipe's `report.json`: part ÷ whole rounded to four decimals, or nil when the whole is 0
/// (written as null, so every report has the same keys).
enum ReportRate {
    static func of(_ part: Int, _ whole: Int) -> Double? {
        whole == 0 ? nil : (Double(part) / Double(whole) * 10_000).rounded() / 10_000
    }
}
