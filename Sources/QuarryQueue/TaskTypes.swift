import Foundation

/// The three families every recipe's tasks fall into.
public enum TaskFamily: String, Sendable, Codable, CaseIterable {
    case generation
    case corruption
    case verification
}

/// Where a task is in its life. `available` includes tasks waiting for a future `run_at` (backoff, snooze).
public enum TaskState: String, Sendable, Codable, CaseIterable {
    case available
    case running
    case completed
    case dead
    case cancelled
}

/// A task to enqueue. `key` is unique within its build: enqueueing the same key twice creates one task.
public struct NewTask: Sendable, Equatable {
    public var kind: String
    public var family: TaskFamily
    public var key: String
    /// JSON text (an object), stored as jsonb.
    public var payload: String
    public var priority: Int
    /// Don't run before now + delay.
    public var delay: Duration
    public var maxAttempts: Int
    public var parentID: Int?

    public init(
        kind: String, family: TaskFamily, key: String, payload: String = "{}", priority: Int = 0,
        delay: Duration = .zero, maxAttempts: Int = 5, parentID: Int? = nil
    ) {
        self.kind = kind
        self.family = family
        self.key = key
        self.payload = payload
        self.priority = priority
        self.delay = delay
        self.maxAttempts = maxAttempts
        self.parentID = parentID
    }
}

/// A task a worker holds. `leaseToken` is the fencing token: every settlement presents it, and one
/// presented after the lease was taken over (rescued, cancelled, re-claimed) changes nothing.
public struct ClaimedTask: Sendable, Equatable, Identifiable {
    public var id: Int
    public var buildID: Int
    public var kind: String
    public var family: TaskFamily
    public var key: String
    public var payload: String
    public var attempt: Int
    public var maxAttempts: Int
    public var leaseToken: Int
    public var parentID: Int?

    public init(
        id: Int, buildID: Int, kind: String, family: TaskFamily, key: String, payload: String, attempt: Int,
        maxAttempts: Int, leaseToken: Int, parentID: Int?
    ) {
        self.id = id
        self.buildID = buildID
        self.kind = kind
        self.family = family
        self.key = key
        self.payload = payload
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.leaseToken = leaseToken
        self.parentID = parentID
    }

    /// Decodes the payload JSON as `T`.
    public func decodePayload<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(payload.utf8))
        } catch {
            throw TaskError.permanent("bad_payload", "task \(id) (\(kind)) payload does not decode as \(T.self): \(error)")
        }
    }
}

/// What a handler returns: the result row's JSON and the prompt version that produced it.
public struct TaskOutput: Sendable, Equatable {
    public var json: String
    public var promptVersion: String?

    public init(json: String, promptVersion: String? = nil) {
        self.json = json
        self.promptVersion = promptVersion
    }

    /// Encodes `value` as the output JSON (sorted keys, so equal outputs are equal bytes).
    public init<T: Encodable>(encoding value: T, promptVersion: String? = nil) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.json = String(decoding: try encoder.encode(value), as: UTF8.self)
        self.promptVersion = promptVersion
    }
}
