import Foundation
import Testing

/// deploy/systemd under `systemd-analyze verify`, in a scratch root holding the units, the host's system
/// units they depend on, and a stand-in /usr/local/bin/quarry (verify checks that ExecStart exists).
@Suite("systemd: systemd-analyze verify")
struct SystemdTests {
    static let units = ["quarry-coordinator.service", "quarry-worker@.service"]

    /// Runs `systemd-analyze verify` over `units` (edited by `edit` first) in a scratch root.
    static func verify(edit: (String) throws -> Void = { _ in }) async throws -> (status: Int32, output: String) {
        let root = NSTemporaryDirectory() + "quarry-systemd-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = FileManager.default
        let hostUnits = ["/usr/lib/systemd/system", "/lib/systemd/system"].first { files.fileExists(atPath: $0 + "/sysinit.target") }
        try #require(hostUnits != nil, "no systemd unit directory with sysinit.target on this machine (install systemd)")
        try files.createDirectory(atPath: root + "/usr/lib/systemd", withIntermediateDirectories: true)
        try files.copyItem(atPath: hostUnits ?? "", toPath: root + "/usr/lib/systemd/system")
        try files.createDirectory(atPath: root + "/etc/systemd/system", withIntermediateDirectories: true)
        try files.createDirectory(atPath: root + "/usr/local/bin", withIntermediateDirectories: true)
        try "#!/bin/sh\n".write(toFile: root + "/usr/local/bin/quarry", atomically: true, encoding: .utf8)
        try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/usr/local/bin/quarry")
        for unit in units {
            try files.copyItem(atPath: DeployTools.path("systemd/" + unit), toPath: root + "/etc/systemd/system/" + unit)
        }
        try edit(root + "/etc/systemd/system")
        return try await DeployTools.run(["systemd-analyze", "verify", "--root=\(root)"] + units)
    }

    @Test("the coordinator unit and the worker template pass systemd-analyze verify without a word")
    func verifies() async throws {
        let result = try await Self.verify()
        #expect(result.status == 0, "systemd-analyze: \(result.output)")
        #expect(result.output.isEmpty, "systemd-analyze: \(result.output)")
    }

    @Test("a misspelt key or a bad value is reported by systemd-analyze", arguments: [
        ("KillSignal=SIGTERM", "KilSignal=SIGTERM", "Unknown key 'KilSignal'"),
        ("TimeoutStopSec=90", "TimeoutStopSec=ninety", "ninety"),
        ("ProtectSystem=strict", "ProtectSystem=stricter", "stricter"),
    ])
    func rejectsMistakes(old: String, new: String, expected: String) async throws {
        let result = try await Self.verify { directory in
            try DeployTools.replace(old, with: new, in: directory + "/quarry-worker@.service")
        }
        #expect(result.output.contains(expected), "systemd-analyze said: \(result.output)")
    }

    @Test("workers: SIGTERM, TimeoutStopSec longer than --shutdown-grace, restart on failure, keys from EnvironmentFile, hardened")
    func shape() async throws {
        for unit in Self.units {
            let lines = try String(contentsOfFile: DeployTools.path("systemd/" + unit), encoding: .utf8).split(separator: "\n").map(String.init)
            func value(_ key: String) -> String? { lines.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) } }
            #expect(value("KillSignal") == "SIGTERM", "\(unit)")
            #expect(value("Restart") == "on-failure", "\(unit)")
            #expect(value("EnvironmentFile") != nil, "\(unit)")
            #expect(value("NoNewPrivileges") == "yes" && value("ProtectSystem") == "strict", "\(unit)")
            let exec = try #require(value("ExecStart")).split(separator: " ").map(String.init)
            if let grace = ComposeTests.option("--shutdown-grace", in: exec).flatMap(Double.init) {
                let stop = try #require(value("TimeoutStopSec").flatMap(Double.init))
                #expect(stop > grace, "\(unit): TimeoutStopSec \(stop) must exceed --shutdown-grace \(grace)")
            }
        }
    }
}
