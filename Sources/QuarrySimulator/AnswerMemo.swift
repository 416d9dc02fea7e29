import Synchronization
import Foundation

/// Rendered answers for byte-identical request bodies, reused within the same second.
///
/// Why it is sound: an answer is a pure function of the request body (see `Simulator`'s determinism notes)
/// and of `created`, the current Unix second, so an entry is only reused while that second lasts. Why it
/// exists: load tests (`quarry bench llm`, wrk) send one request body thousands of times a second, and
/// without this the simulator spent most of its CPU re-parsing, re-generating and re-encoding the same
/// answer, which starved the client being measured on a two-core machine. A build's requests are all
/// different, so there it only costs a lookup.
///
/// Bounded: at most `capacity` entries and bodies up to `maximumBodyBytes`; when full it starts over.
final class AnswerMemo: Sendable {
    struct Key: Hashable, Sendable {
        var endpoint: String
        var bodyHash: UInt64
    }

    struct Entry: Sendable {
        /// The request, compared in full on a hit: the hash only finds the slot.
        var body: Data
        var created: Int
        var model: String
        var tokenCost: Int
        var output: EndpointOutput
        /// `output.body` as sent.
        var encoded: Data
    }

    let capacity: Int
    let maximumBodyBytes: Int
    private let entries = Mutex([Key: Entry]())

    init(capacity: Int = 1_024, maximumBodyBytes: Int = 64 * 1_024) {
        self.capacity = capacity
        self.maximumBodyBytes = maximumBodyBytes
    }

    func lookup(endpoint: String, bodyHash: UInt64, body: Data, created: Int) -> Entry? {
        guard body.count <= maximumBodyBytes else { return nil }
        let entry = entries.withLock { $0[Key(endpoint: endpoint, bodyHash: bodyHash)] }
        guard let entry, entry.created == created, entry.body == body else { return nil }
        return entry
    }

    func store(endpoint: String, bodyHash: UInt64, entry: Entry) {
        guard entry.body.count <= maximumBodyBytes else { return }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[Key(endpoint: endpoint, bodyHash: bodyHash)] = entry
        }
    }
}
