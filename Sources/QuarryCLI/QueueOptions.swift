import ArgumentParser
import QuarryQueue

/// Queue timing options shared by the processes that run the queue.
struct QueueOptions: ParsableArguments {
    @Option(help: "Lease length in seconds: a silent worker's tasks are rescued after lease + heartbeat.")
    var leaseSeconds: Double = 30

    @Option(help: "Heartbeat (lease renewal) and rescue interval in seconds.")
    var heartbeatSeconds: Double = 5

    @Option(help: "Snoozes (rate limits) allowed per task before a snooze counts as a failed attempt.")
    var maxSnoozes: Int = 100

    func validate() throws {
        guard leaseSeconds > 0, heartbeatSeconds > 0 else { throw ValidationError("--lease-seconds and --heartbeat-seconds must be positive") }
        guard heartbeatSeconds < leaseSeconds else {
            throw ValidationError("--heartbeat-seconds (\(heartbeatSeconds)) must be shorter than --lease-seconds (\(leaseSeconds)), or leases lapse between renewals")
        }
    }

    func configuration(schema: String) -> QueueConfiguration {
        QueueConfiguration(
            schema: schema, leaseDuration: .milliseconds(Int64(leaseSeconds * 1_000)),
            heartbeatInterval: .milliseconds(Int64(heartbeatSeconds * 1_000)), maxSnoozes: maxSnoozes)
    }
}
