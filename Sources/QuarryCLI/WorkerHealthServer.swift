import Foundation
import Hummingbird
import Logging
import NIOCore
import QuarryPostgres
import QuarryQueue
import ServiceLifecycle

/// `quarry worker --health-port N`: HTTP probes for Kubernetes or any supervisor, answered from the
/// worker's registry row as the database sees it.
///
/// - `GET /readyz`: 200 when the database answers and this worker's heartbeat is younger than the lease
///   (it is claiming and renewing); 503 otherwise: database unreachable, not registered yet, draining, or
///   heartbeat late.
/// - `GET /livez`: 503 only when the database answers but the worker's heartbeat is older than
///   lease + heartbeat interval (its leases have lapsed and are being rescued: the process is wedged and a
///   restart helps). A database outage is not the process's fault, so it keeps liveness at 200.
///
/// Probes use a connection of their own that gives up within seconds, so they never wait behind the
/// worker's pool or its minute-long reconnect window.
struct WorkerHealthServer: Service {
    let host: String
    let port: Int
    let workerID: String
    let queue: TaskQueue
    let logger: Logger

    /// `database` is where probes connect (the worker's own URL, pooled or not).
    init(host: String, port: Int, workerID: String, database: PostgresConfiguration, queueConfiguration: QueueConfiguration) {
        var probeDatabase = database
        probeDatabase.applicationName = String((database.applicationName + ":health").prefix(63))
        probeDatabase.connectTimeoutSeconds = 2
        probeDatabase.reconnectTimeout = .seconds(2)
        self.host = host
        self.port = port
        self.workerID = workerID
        self.queue = TaskQueue(pool: PostgresPool(configuration: probeDatabase, maxConnections: 1), configuration: queueConfiguration)
        self.logger = Logger(label: "quarry.worker.health")
    }

    /// Serves until graceful shutdown (it runs beside the worker in the command's `ServiceGroup`); a port
    /// that cannot be bound fails the group, so the worker does not run without the probes it was asked for.
    func run() async throws {
        let application = makeApplication { [logger, host] channel in
            logger.info("health endpoint listening on http://\(host):\(channel.localAddress?.port ?? 0) (/livez, /readyz)")
        }
        do {
            try await application.run()
        } catch {
            await queue.pool.close()
            throw HealthEndpointError(code: .serveFailed, host: host, port: port, message: "cannot serve: \(error)")
        }
        await queue.pool.close()
    }

    private func makeApplication(onServerRunning: @escaping @Sendable (any Channel) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("/readyz") { _, _ in await self.respond(probe: .readiness) }
        router.get("/livez") { _, _ in await self.respond(probe: .liveness) }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: onServerRunning,
            logger: logger)
    }

    private func respond(probe: WorkerHealth.Probe) async -> Response {
        let observed: Result<WorkerHeartbeat?, any Error>
        do {
            observed = .success(try await queue.heartbeat(of: workerID))
        } catch {
            observed = .failure(error)
        }
        let health = WorkerHealth(
            worker: workerID, observed: observed, lease: queue.configuration.leaseDuration,
            heartbeatInterval: queue.configuration.heartbeatInterval)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        return Response(
            status: health.passes(probe) ? .ok : .serviceUnavailable, headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: health.json)))
    }
}

/// Why the health endpoint could not start.
struct HealthEndpointError: Error, CustomStringConvertible {
    enum Code: String { case serveFailed = "serve_failed" }
    let code: Code
    let host: String
    let port: Int
    let message: String

    var description: String {
        "health endpoint (--health-host \(host) --health-port \(port)): \(message) [\(code.rawValue)]; choose a free port or leave --health-port out"
    }
}
