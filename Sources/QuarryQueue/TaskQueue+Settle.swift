import QuarryPostgres

extension TaskQueue {
    /// Writes a batch of outcomes in one transaction: completions (with their results, one statement over
    /// arrays) and everything else (one statement). Every write is fenced by lease token and owner; an
    /// outcome whose lease was lost matches nothing and is reported as rejected.
    public func settle(worker: String, _ outcomes: [TaskOutcome]) async throws -> SettleReport {
        var report = SettleReport()
        guard !outcomes.isEmpty else { return report }
        var completions: [(TaskOutcome, TaskOutput)] = []
        var others: [TaskOutcome] = []
        for outcome in outcomes {
            if case .completed(let output) = outcome.kind { completions.append((outcome, output)) } else { others.append(outcome) }
        }
        // One statement is atomic by itself; only a mixed batch needs an explicit transaction.
        let (completed, settled): ([Int], [(Int, String)])
        if others.isEmpty {
            (completed, settled) = (try await pool.withConnection { try await complete(completions, worker: worker, on: $0) }, [])
        } else {
            (completed, settled) = try await pool.transaction { tx in
                (try await complete(completions, worker: worker, on: tx), try await settleOthers(others, worker: worker, on: tx))
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
        let accepted = Set(completed).union(settled.map(\.0))
        report.rejected = outcomes.map(\.taskID).filter { !accepted.contains($0) }
        if !report.rejected.isEmpty {
            logger.warning(
                "rejected \(report.rejected.count) late outcome(s) from \(worker): lease taken over or task cancelled",
                metadata: ["tasks": "\(report.rejected.prefix(20))"])
        }
        if !completed.isEmpty || !report.dead.isEmpty { notify(configuration.finishedChannel) }
        if !report.requeued.isEmpty || !report.released.isEmpty { notify(configuration.taskChannel) }
        return report
    }

    private func complete(_ completions: [(TaskOutcome, TaskOutput)], worker: String, on tx: PostgresConnection) async throws -> [Int] {
        guard !completions.isEmpty else { return [] }
        let rows = try await tx.query(
            """
            WITH input AS (
                SELECT * FROM unnest(\(completions.map(\.0.taskID)), \(completions.map(\.0.leaseToken)),
                                     \(completions.map(\.1.json)), \(PostgresNullableArray(completions.map(\.1.promptVersion))))
                         AS i(id, token, output, prompt_version)
            ), done AS (
                UPDATE \(identifier: schema).tasks t
                SET state = 'completed', finished_at = now(), lease_owner = NULL, lease_until = NULL
                FROM input i
                WHERE t.id = i.id AND t.lease_token = i.token AND t.lease_owner = \(worker) AND t.state = 'running'
                RETURNING t.id, t.build_id, t.kind
            ), stored AS (
                INSERT INTO \(identifier: schema).results (task_id, build_id, kind, output, prompt_version, worker)
                SELECT d.id, d.build_id, d.kind, i.output::jsonb, i.prompt_version, \(worker)
                FROM done d JOIN input i ON i.id = d.id
            )
            SELECT id FROM done
            """)
        return try rows.map { try $0.decode(Int.self, "id") }
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
        // A snooze past the limit becomes a failed attempt, so a task cannot snooze forever.
        let rows = try await tx.query(
            """
            WITH input AS (
                SELECT i.*, CASE WHEN i.action = 'snooze' AND t.snoozes >= \(configuration.maxSnoozes) THEN 'fail' ELSE i.action END AS effective
                FROM unnest(\(outcomes.map(\.taskID)), \(outcomes.map(\.leaseToken)), \(actions),
                            \(PostgresNullableArray(classes)), \(PostgresNullableArray(messages)), \(delays))
                     AS i(id, token, action, error_class, message, delay_ms)
                JOIN \(identifier: schema).tasks t ON t.id = i.id
            ), changed AS (
                UPDATE \(identifier: schema).tasks t
                SET state = CASE
                        WHEN i.effective = 'dead' OR (i.effective = 'fail' AND t.attempt >= t.max_attempts) THEN 'dead'
                        ELSE 'available' END,
                    run_at = now() + i.delay_ms * interval '1 millisecond',
                    attempt = CASE WHEN i.effective IN ('snooze', 'release') THEN t.attempt - 1 ELSE t.attempt END,
                    snoozes = t.snoozes + CASE WHEN i.effective = 'snooze' THEN 1 ELSE 0 END,
                    last_error = coalesce(i.message, t.last_error),
                    last_error_class = coalesce(CASE WHEN i.action = 'snooze' AND i.effective = 'fail' THEN 'snooze_limit' END, i.error_class, t.last_error_class),
                    finished_at = CASE WHEN i.effective = 'dead' OR (i.effective = 'fail' AND t.attempt >= t.max_attempts) THEN now() END,
                    lease_owner = NULL, lease_until = NULL
                FROM input i
                WHERE t.id = i.id AND t.lease_token = i.token AND t.lease_owner = \(worker) AND t.state = 'running'
                RETURNING t.id, t.build_id, t.kind, t.attempt, t.state, t.snoozes, i.effective, i.error_class, i.message
            ), logged AS (
                -- Snoozes are counted on the task (snoozes); only the first and every Nth leaves an attempt row,
                -- so a rate-limit storm does not write one row per refused request.
                INSERT INTO \(identifier: schema).task_attempts (task_id, attempt, build_id, kind, worker, error_class, message)
                SELECT id, CASE WHEN effective = 'snooze' THEN attempt + 1 ELSE attempt END, build_id, kind, \(worker), error_class,
                       CASE WHEN effective = 'snooze' AND snoozes > 1 THEN message || ' (snooze ' || snoozes || ')' ELSE message END
                FROM changed
                WHERE effective <> 'release'
                  AND (effective <> 'snooze' OR snoozes = 1 OR snoozes % \(configuration.snoozeLogEvery) = 0)
            )
            SELECT id, CASE WHEN effective = 'release' THEN 'released' ELSE state END AS outcome FROM changed
            """)
        return try rows.map { (try $0.decode(Int.self, "id"), try $0.decode(String.self, "outcome")) }
    }
}
