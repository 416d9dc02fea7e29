import Foundation

extension Simulator {
    /// The CLI entry point: starts, prints the address on one line to standard output, and serves until
    /// SIGINT or SIGTERM arrives or the calling task is cancelled; then stops and returns.
    public func runUntilCancelled() async throws {
        let port = try await start()
        let line = "quarry simulator listening on http://\(configuration.host):\(port) (OpenAI base URL: http://\(configuration.host):\(port)/v1)\n"
        // FileHandle writes are unbuffered, so a parent process reading a pipe sees the line at once.
        FileHandle.standardOutput.write(Data(line.utf8))
        let signal = await TerminationSignal.wait()
        logger.info("simulator stopping", metadata: ["signal": "\(signal.map(String.init) ?? "cancelled")"])
        await stop()
    }
}
