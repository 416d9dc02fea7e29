import QuarryPostgres

extension TaskQueue {
    /// Writes a batch of outcomes in one transaction: completions (with their results, one statement over
    /// arrays) and everything else (one statement), through `complete_tasks` and `settle_tasks`
    /// (migrations/0007), which move only tasks the worker holds. Every write is fenced by lease token and owner; an
    /// outcome whose lease was lost matches nothing and is reported as rejected. `connection` is one the
    /// caller owns; without one the pool lends one.
    public func settle(worker: String, _ outcomes: [TaskOutcome], on connection: PostgresConnection? = nil) async throws -> SettleReport {
        var report = SettleReport()
        guard !outcomes.isEmpty else { return report }
        // The completions go straight into the statement's columns: copying each outcome into a list of
        // completions first, and mapping that list once per column, was a tenth of a no-op task's cost.
        var completions = CompletionColumns()
        completions.reserveCapacity(outcomes.count)
        var others: [TaskOutcome] = []
        for index in outcomes.indices {
            switch outcomes[index].kind {
            case .completed(let output): completions.append(outcomes[index].taskID, outcomes[index].leaseToken, output)
            default: others.append(outcomes[index])
            }
        }
        // One statement is atomic by itself; only a mixed batch needs an explicit transaction.
        let (completed, settled): ([Int], [(Int, String)])
        if others.isEmpty {
            (completed, settled) = (try await withConnection(connection) { try await complete(completions, worker: worker, on: $0) }, [])
        } else {
            (completed, settled) = try await withConnection(connection) { connection in
                try await connection.transaction { tx in
                    (try await complete(completions, worker: worker, on: tx), try await settleOthers(others, worker: worker, on: tx))
                }
            }
        }
        report.completed = completed
        for (id, state) in settled {
            switch state {
            case "dead": report.dead.append(id)
            case "released": report.released.append(id)
            default: report.requeued.append(id)
            }
        }
        // The functions answer with a subset of the ids sent, each once: when every id came back, none was
        // rejected, and the usual batch needs no set of its ids.
        if completed.count + settled.count < outcomes.count {
            let accepted = Set(completed).union(settled.map(\.0))
            report.rejected = outcomes.map(\.taskID).filter { !accepted.contains($0) }
        }
        if !report.rejected.isEmpty {
            logger.warning(
                "rejected \(report.rejected.count) late outcome(s) from \(worker): lease taken over or task cancelled",
                metadata: ["tasks": "\(report.rejected.prefix(20))"])
        }
        if !completed.isEmpty || !report.dead.isEmpty { notify(configuration.finishedChannel) }
        if !report.requeued.isEmpty || !report.released.isEmpty { notify(configuration.taskChannel) }
        return report
    }

    /// The completed outcomes of a batch as `complete_tasks`'s array parameters.
    private struct CompletionColumns {
        var ids: [Int] = []
        var leaseTokens: [Int] = []
        var outputs: [String] = []
        var promptVersions: [String?] = []

        var isEmpty: Bool { ids.isEmpty }

        mutating func reserveCapacity(_ count: Int) {
            ids.reserveCapacity(count)
            leaseTokens.reserveCapacity(count)
            outputs.reserveCapacity(count)
            promptVersions.reserveCapacity(count)
        }

        mutating func append(_ id: Int, _ leaseToken: Int, _ output: TaskOutput) {
            ids.append(id)
            leaseTokens.append(leaseToken)
            outputs.append(output.json)
            promptVersions.append(output.promptVersion)
        }
    }

    private func complete(_ completions: CompletionColumns, worker: String, on tx: PostgresConnection) async throws -> [Int] {
        guard !completions.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(worker)
        binds.append(completions.ids)
        binds.append(completions.leaseTokens)
        binds.append(completions.outputs)
        binds.append(PostgresNullableArray(completions.promptVersions))
        let rows = try await tx.query(PostgresQuery(unsafeSQL: statements.complete, binds: binds))
        guard !rows.isEmpty else { return [] }
        let id = try rows.position(of: "id")
        return try rows.map { try $0.decode(Int.self, at: id) }
    }

    private func settleOthers(_ outcomes: [TaskOutcome], worker: String, on tx: PostgresConnection) async throws -> [(Int, String)] {
        guard !outcomes.isEmpty else { return [] }
        var actions: [String] = [], classes: [String?] = [], messages: [String?] = [], delays: [Int] = []
        for outcome in outcomes {
            switch outcome.kind {
            case .completed: continue
            case .failed(let errorClass, let message, let delay):
                actions.append("fail"); classes.append(errorClass); messages.append(message); delays.append(delay.milliseconds)
            case .dead(let errorClass, let message):
                actions.append("dead"); classes.append(errorClass); messages.append(message); delays.append(0)
            case .snoozed(let errorClass, let message, let delay):
                actions.append("snooze"); classes.append(errorClass); messages.append(message); delays.append(delay.milliseconds)
            case .released:
                actions.append("release"); classes.append(nil); messages.append(nil); delays.append(0)
            }
        }
        // A snooze past the limit becomes a failed attempt, so a task cannot snooze forever (in settle_tasks).
        let rows = try await tx.query(
            """
            SELECT id, outcome FROM \(identifier: schema).settle_tasks(
                \(worker), \(outcomes.map(\.taskID)), \(outcomes.map(\.leaseToken)), \(actions),
                \(PostgresNullableArray(classes)), \(PostgresNullableArray(messages)), \(delays), \(Int32(clamping: configuration.maxSnoozes)),
                \(Int32(clamping: configuration.snoozeLogEvery)))
            """)
        return try rows.map { (try $0.decode(Int.self, "id"), try $0.decode(String.self, "outcome")) }
    }
}
