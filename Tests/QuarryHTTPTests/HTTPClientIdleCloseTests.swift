import Foundation
import QuarryHTTP
import QuarryTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP server that answers one request per connection with `Connection: keep-alive` and then closes the
/// connection after `closeAfter`: exactly what pooled connections meet when a server's keep-alive timeout is
/// shorter than the client's.
private final class ClosingServer: Sendable {
    let listener: Int32
    let port: Int
    private let stopped = Mutex(false)
    private let connections = Mutex((accepted: 0, closed: 0))

    /// True when every connection the server accepted has been closed by it.
    var closedAll: Bool { connections.withLock { $0.accepted == $0.closed } }

    init(closeAfter: Duration) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(fd, 128) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let closeMicroseconds = useconds_t(closeAfter.components.seconds * 1_000_000 + closeAfter.components.attoseconds / 1_000_000_000_000)
        Thread.detachNewThread { [self] in
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 { return }
                self.connections.withLock { $0.accepted += 1 }
                // A thread per connection: the delayed close must not wait for a free pool thread.
                Thread.detachNewThread {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    var received: [UInt8] = []
                    while !received.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
                        let count = read(connection, &buffer, buffer.count)
                        if count <= 0 { break }
                        received += buffer[0..<count]
                    }
                    let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok".utf8)
                    _ = reply.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                    // The keep-alive timeout being simulated: the connection stays open this long after answering.
                    usleep(closeMicroseconds)
                    close(connection)
                    self.connections.withLock { $0.closed += 1 }
                }
            }
        }
    }

    func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

@Suite("HTTPClient and connections the server closes")
struct HTTPClientIdleCloseTests {
    @Test("pooled connections closed by the server while idle neither stall later requests nor spin the driver")
    func serverClosesIdleConnections() async throws {
        let server = try ClosingServer(closeAfter: .milliseconds(30))
        defer { server.stop() }
        let client = try HTTPClient(configuration: .init(timeout: .seconds(5)))
        defer { client.shutdown() }
        for _ in 0..<15 {
            // Ten connections opened, then all closed by the server while they sit in the pool; the next
            // round must open fresh ones (often under the same socket numbers) and still be watched.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(server.port)/")).status }
                }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(statuses == Array(repeating: 200, count: 10))
            // Wait for the server to close them all, so no request races a closing connection (that is a reset).
            #expect(await eventually { server.closedAll })
        }
        // Idle, with dead connections in the pool: the driver must sleep, not spin on their events. The
        // elapsed time is the subject: the CPU the process uses over half a second of idling.
        var before = rusage()
        getrusage(RUSAGE_SELF.rawValue, &before)
        try await Task.sleep(for: .milliseconds(500))
        var after = rusage()
        getrusage(RUSAGE_SELF.rawValue, &after)
        let cpu = Double(after.ru_utime.tv_sec - before.ru_utime.tv_sec) + Double(after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6
            + Double(after.ru_stime.tv_sec - before.ru_stime.tv_sec) + Double(after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6
        expectWithinBound(cpu < 0.25, "the process used \(cpu) s of CPU in 0.5 s of idling")
        #expect(client.inFlightCount == 0)
    }
}
