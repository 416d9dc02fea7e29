import Foundation
import QuarryPostgres
import Testing
import Yams

/// Renders a kustomization with `kustomize build` or `kubectl kustomize` (kustomize 4 or later), whichever
/// is installed. Neither PyPI nor Debian ships a usable kustomize (Debian's kubectl 1.20 embeds kustomize
/// 2.0.3, which predates `patches` and `labels`), so without one `structuralCheck` stands in: every
/// resource, patch and generator file exists, and every patch names a resource the kustomization has.
enum Kustomize {
    /// The render command, without its directory argument; nil when no kustomize 4+ is installed.
    static let command: [String]? = {
        if let kustomize = DeployTools.which("kustomize") { return [kustomize, "build"] }
        guard let kubectl = DeployTools.which("kubectl"),
            let version = try? ChildProcess.run([kubectl, "version", "--client"]).output,
            let line = version.split(separator: "\n").first(where: { $0.hasPrefix("Kustomize Version: v") }),
            let major = Int(line.dropFirst("Kustomize Version: v".count).prefix { $0.isNumber }), major >= 4
        else { return nil }
        return [kubectl, "kustomize"]
    }()

    /// Renders `directory` into a file; returns the validator's status and messages, and the rendered text.
    static func render(_ directory: String) async throws -> (status: Int32, output: String, rendered: String) {
        guard let command else {
            let problems = try structuralCheck(directory)
            return (problems.isEmpty ? 0 : 1, problems.joined(separator: "\n"), "")
        }
        let out = NSTemporaryDirectory() + "quarry-kustomize-\(UUID().uuidString.prefix(8)).yaml"
        defer { unlink(out) }
        let result = try await ChildProcess.complete(command + [directory, "-o", out])
        let rendered = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return (result.status, result.output, rendered)
    }

    /// What a kustomization points at that is missing or does not match; empty when all is well.
    static func structuralCheck(_ directory: String) throws -> [String] {
        var problems: [String] = []
        _ = try resources(of: directory, problems: &problems)
        return problems
    }

    /// (kind, name) of every resource `directory`'s kustomization yields, recording what is missing.
    private static func resources(of directory: String, problems: inout [String]) throws -> [(kind: String, name: String)] {
        let file = directory + "/kustomization.yaml"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
            let kustomization = try Yams.load(yaml: text) as? [String: Any]
        else {
            problems.append("\(file): missing or not a YAML mapping")
            return []
        }
        var found: [(kind: String, name: String)] = []
        for entry in kustomization["resources"] as? [String] ?? [] {
            let path = directory + "/" + entry
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                problems.append("\(file): resource \(entry) does not exist")
            } else if isDirectory.boolValue {
                found += try resources(of: path, problems: &problems)
            } else {
                for document in try Yams.load_all(yaml: String(contentsOfFile: path, encoding: .utf8)) {
                    guard let object = document as? [String: Any], let kind = object["kind"] as? String,
                        let name = (object["metadata"] as? [String: Any])?["name"] as? String
                    else { continue }
                    found.append((kind, name))
                }
            }
        }
        for generator in kustomization["secretGenerator"] as? [[String: Any]] ?? [] {
            for env in generator["envs"] as? [String] ?? [] where !FileManager.default.fileExists(atPath: directory + "/" + env) {
                problems.append("\(file): secretGenerator file \(env) does not exist")
            }
            if let name = generator["name"] as? String { found.append(("Secret", name)) }
        }
        for patch in kustomization["patches"] as? [[String: Any]] ?? [] {
            var targets: [(kind: String?, name: String?)] = []
            if let target = patch["target"] as? [String: Any] {
                targets.append((target["kind"] as? String, target["name"] as? String))
            }
            if let path = patch["path"] as? String {
                guard let text = try? String(contentsOfFile: directory + "/" + path, encoding: .utf8) else {
                    problems.append("\(file): patch \(path) does not exist")
                    continue
                }
                if patch["target"] == nil, let object = try Yams.load(yaml: text) as? [String: Any] {
                    targets.append((object["kind"] as? String, (object["metadata"] as? [String: Any])?["name"] as? String))
                }
            }
            for target in targets where !found.contains(where: { (target.kind == nil || $0.kind == target.kind) && (target.name == nil || $0.name == target.name) }) {
                problems.append("\(file): no resource matches the patch target \(target.kind ?? "*")/\(target.name ?? "*")")
            }
        }
        return found
    }
}
