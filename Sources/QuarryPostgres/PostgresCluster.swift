import Foundation

/// A private PostgreSQL server on this machine, managed with `initdb` and `pg_ctl`: the embedded default
/// for `quarry demo` and the disposable server of tests that restart the database.
///
/// PostgreSQL refuses to run as root; when this process is root the server runs as the unprivileged
/// `postgres` user (through `runuser`) and its directory is handed to that user.
public struct PostgresCluster: Sendable {
    public let directory: URL
    public let port: Int
    public let binDirectory: URL
    /// The user the server runs as, when it differs from this process's.
    public let runAs: String?
    public let user = "quarry"

    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    public var logFile: URL { directory.appendingPathComponent("server.log") }
    public var connectionString: String { "postgresql://\(user)@127.0.0.1:\(port)/postgres" }

    public struct ClusterError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { "PostgreSQL cluster: \(message)" }
    }

    /// Prepares a cluster in `directory` (running `initdb` when it holds none yet). The port is the one
    /// recorded there before, else `port`, else a free one.
    public static func prepare(at directory: URL, port: Int? = nil) throws -> PostgresCluster {
        let bin = try locateBinaries()
        let runAs: String? = getuid() == 0 ? "postgres" : nil
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let portFile = directory.appendingPathComponent("port")
        let chosenPort: Int
        if let text = try? String(contentsOf: portFile, encoding: .utf8), let recorded = Int(text.trimmingWhitespace()) {
            chosenPort = recorded
        } else {
            chosenPort = try port ?? freePort()
            try String(chosenPort).write(to: portFile, atomically: true, encoding: .utf8)
        }
        let cluster = PostgresCluster(directory: directory, port: chosenPort, binDirectory: bin, runAs: runAs)
        if let runAs { try run(["chown", "-R", runAs, directory.path]) }
        if !FileManager.default.fileExists(atPath: cluster.dataDirectory.appendingPathComponent("PG_VERSION").path) {
            try cluster.pg("initdb", ["-D", cluster.dataDirectory.path, "-U", cluster.user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        }
        return cluster
    }

    /// Whether the server answers on its port.
    public var isRunning: Bool {
        (try? pg("pg_ctl", ["-D", dataDirectory.path, "status"], quiet: true)) != nil
    }

    public func start() throws {
        if isRunning { return }
        let options = [
            "-p \(port)", "-k \(directory.path)", "-c listen_addresses=127.0.0.1", "-c fsync=off",
            "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=300",
            "-c shared_buffers=256MB", "-c max_wal_size=4GB",
            // Every task worked leaves a dead entry in the claim's index until a vacuum; autovacuum's default
            // one-minute round let a fast build's claims walk a million of them (README, "Keeping the hot path small").
            "-c autovacuum_naptime=10s",
        ].joined(separator: " ")
        do {
            try pg("pg_ctl", ["-D", dataDirectory.path, "-o", options, "-l", logFile.path, "-w", "-t", "60", "start"])
        } catch let error as ClusterError {
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw ClusterError(message: "\(error.message)\nserver log:\n\(log.suffix(2_000))")
        }
    }

    /// Stops the server; `fast` ends sessions cleanly, `immediate` is a crash.
    public func stop(mode: String = "fast") throws {
        guard isRunning else { return }
        try pg("pg_ctl", ["-D", dataDirectory.path, "-m", mode, "-w", "stop"])
    }

    /// `pg_ctl restart -m fast`: every connection is dropped and the server comes back on the same port.
    public func restart() throws {
        try pg("pg_ctl", ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "60", "restart"])
    }

    /// Stops the server and deletes its directory.
    public func destroy() {
        try? stop(mode: "immediate")
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Helpers

    public static func locateBinaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let sorted = versions.compactMap { Int($0) }.sorted()
        for version in sorted.reversed() {
            let bin = root.appendingPathComponent("\(version)/bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) { return bin }
        }
        throw ClusterError(message: "initdb not found under /usr/lib/postgresql; install the postgresql package (scripts/install-deps.sh)")
    }

    /// A TCP port on the loopback interface that was free a moment ago (also used by tests for servers of their own).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer -> Int32 in
                guard bind(fd, sockaddrPointer, length) == 0 else { return -1 }
                return getsockname(fd, sockaddrPointer, &length)
            }
        }
        guard bound == 0 else { throw ClusterError(message: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @discardableResult
    private func pg(_ tool: String, _ arguments: [String], quiet: Bool = false) throws -> String {
        let executable = binDirectory.appendingPathComponent(tool).path
        let command = runAs.map { ["runuser", "-u", $0, "--", executable] } ?? [executable]
        return try Self.run(command + arguments, quiet: quiet)
    }

    @discardableResult
    static func run(_ command: [String], quiet: Bool = false) throws -> String {
        let (status, output) = try ChildProcess.run(command)
        guard status == 0 else {
            throw ClusterError(message: "\(command.joined(separator: " ")) failed (exit \(status)): \(quiet ? "" : output)")
        }
        return output
    }
}
