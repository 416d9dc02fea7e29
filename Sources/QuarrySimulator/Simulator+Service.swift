import Foundation
import ServiceLifecycle

extension Simulator: Service {
    /// As a service (`quarry simulate`): starts, prints the address on one line to standard output, serves
    /// until graceful shutdown (SIGTERM, SIGINT through the `ServiceGroup`) or cancellation, then stops.
    public func run() async throws {
        let port = try await start()
        let line = "quarry simulator listening on http://\(configuration.host):\(port) (OpenAI base URL: http://\(configuration.host):\(port)/v1)\n"
        // FileHandle writes are unbuffered, so a parent process reading a pipe sees the line at once.
        FileHandle.standardOutput.write(Data(line.utf8))
        try? await gracefulShutdown()  // returns on graceful shutdown, throws on cancellation: stop either way
        logger.info("simulator stopping")
        await stop()
    }
}

extension Simulator {
    /// Starts the simulator, runs `body` with its port, and stops it when `body` returns or throws.
    public func withRunning<T>(_ body: (Int) async throws -> T) async throws -> T {
        let port = try await start()
        do {
            let value = try await body(port)
            await stop()
            return value
        } catch {
            await stop()
            throw error
        }
    }
}
