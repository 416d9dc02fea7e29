import Foundation
import QuarryTestSupport
import Testing

/// The repository stands alone: nothing in it reads or cites files outside the clone (a sibling folder
/// of sample data that only one workspace has, or an absolute path on one machine).
@Suite("Repository boundary")
struct RepositoryBoundaryTests {
    /// Spelled in pieces so that this file does not match itself.
    static let forbidden = [".." + "/shared", "/" + "work/"]

    @Test("no file in the repository refers to a path outside it")
    func nothingOutside() throws {
        let root = TestDatabase.repositoryRoot
        let skipped: Set<String> = [".git", ".build", ".quarry", ".swiftpm", "out"]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        var offenders: [String] = []
        var checked = 0
        while let url = enumerator?.nextObject() as? URL {
            let name = url.lastPathComponent
            if skipped.contains(name) || name.hasPrefix(".build") {
                enumerator?.skipDescendants()
                continue
            }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  let data = try? Data(contentsOf: url), data.count < 4_000_000 else { continue }
            checked += 1
            let text = String(decoding: data, as: UTF8.self)
            for needle in Self.forbidden where text.contains(needle) {
                offenders.append("\(url.path.dropFirst(root.path.count + 1)) mentions \(needle)")
            }
        }
        #expect(checked > 100, "walked only \(checked) files under \(root.path)")
        #expect(offenders.isEmpty, "\(offenders.joined(separator: "\n"))")
    }
}
