import QuarryJSON
import QuarryQueue

/// Plain-text tables for terminal output.
enum TableRenderer {
    static func render(_ table: MonitorTable, title: String) -> String {
        guard !table.rows.isEmpty else { return "\(title): (none)" }
        let cells = table.rows.map { $0.map { shorten($0 ?? "-") } }
        var widths = table.columns.map(\.count)
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ values: [String]) -> String {
            values.enumerated().map { index, value in value.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        var lines = [title, line(table.columns), line(widths.map { String(repeating: "-", count: $0) })]
        lines += cells.map(line)
        return lines.joined(separator: "\n")
    }

    private static func shorten(_ text: String) -> String {
        // Names and messages come from users' files and endpoints: show control characters, never obey them.
        let flat = text.replacingOccurrences(of: "\n", with: " ").escapingControlCharacters
        return flat.count > 80 ? String(flat.prefix(77)) + "..." : flat
    }
}
