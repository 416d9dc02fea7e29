import Foundation
import QuarryQueue
import Synchronization

/// Builds' stored specs as handlers need them, read from the queue once per build and kept: a spec
/// never changes after submit, so there is nothing to invalidate. Shared by every handler of a worker.
public final class BuildSpecStore: Sendable {
    private let specs = Mutex<[Int: StoredBuildSpec]>([:])

    public init() {}

    /// The spec of `buildID`. Throws a permanent `TaskError` when it is missing or unreadable: no retry
    /// would change that.
    public func spec(for buildID: Int, queue: TaskQueue) async throws -> StoredBuildSpec {
        if let cached = specs.withLock({ $0[buildID] }) { return cached }
        guard let build = try await queue.build(buildID) else {
            throw TaskError.permanent("unknown_build", "build \(buildID) does not exist")
        }
        let spec: StoredBuildSpec
        do {
            spec = try Self.decode(build.spec)
        } catch {
            throw TaskError.permanent("bad_spec", "build \(buildID)'s stored spec does not decode: \(error)")
        }
        specs.withLock { $0[buildID] = spec }
        return spec
    }

    /// Decodes a stored spec's JSON text.
    public static func decode(_ json: String) throws(RecipeError) -> StoredBuildSpec {
        do {
            return try JSONDecoder().decode(StoredBuildSpec.self, from: Data(json.utf8))
        } catch {
            throw RecipeError(.invalidStoredSpec, "the build's stored spec does not decode: \(error)")
        }
    }

    /// Encodes a spec as stored (sorted keys, so equal specs are equal text).
    public static func encode(_ spec: StoredBuildSpec) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and dictionaries cannot fail.
        return String(decoding: (try? encoder.encode(spec)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
