import ArgumentParser
import Foundation
import QuarryRecipes
import Yams

/// The input and spec of `quarry bench build`: a recipe's example spec, pointed at a generated input.
enum BenchInput {
    /// The example spec's YAML and its input file.
    static func exampleSpec(at path: String) throws -> (yaml: [String: Any], input: URL) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let yaml = try Yams.load(yaml: text) as? [String: Any], let input = yaml["input"] as? [String: Any],
            let inputPath = input["path"] as? String
        else { throw ValidationError("the example spec \(path) has no input.path") }
        return (yaml, URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(inputPath))
    }

    /// `count` records as JSON lines, cycling those of `source` (JSON array or JSON Lines). Copies after the
    /// first round are made distinct (rag4rag passages are numbered as they always were; other recipes' text
    /// fields get " (copy N)"), so the cache and the simulator see different requests.
    static func cycled(_ source: URL, count: Int, numberRag4Rag: Bool) throws -> [String] {
        let data = try Data(contentsOf: source)
        var objects: [[String: Any]]
        if let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] {
            objects = array
        } else {
            objects = try String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        guard !objects.isEmpty else { throw ValidationError("\(source.path) holds no records") }
        var lines: [String] = []
        for index in 0..<count {
            var object = objects[index % objects.count]
            let round = index / objects.count
            if numberRag4Rag {
                object["id"] = "p\(index)"
                object["title"] = "\(object["title"] ?? "") \(index)"
                object["text"] = "\(object["text"] ?? "") Record \(index)."
            } else if round > 0 {
                for (key, value) in object {
                    if let text = value as? String, !text.isEmpty { object[key] = "\(text) (copy \(round))" }
                }
            }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        return lines
    }

    /// The example spec with the generated input, every role on the simulator `sim`, and no cache.
    static func spec(from example: [String: Any], recipe: any Recipe) throws -> String {
        var spec = example
        spec["name"] = "bench-\(recipe.name)"
        var input = spec["input"] as? [String: Any] ?? [:]
        input["path"] = "records.jsonl"
        input["format"] = "jsonl"
        spec["input"] = input
        spec["endpoints"] = Dictionary(uniqueKeysWithValues: recipe.roles.map { ($0.name, "sim") })
        spec["no_cache"] = true
        return try Yams.dump(object: spec)
    }
}
