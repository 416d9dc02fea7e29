import Foundation
import QuarryPostgres
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("KnowTuning export formats load with Hugging Face datasets")
struct KnowTuningFormatTests {
    @Test("dpo.jsonl has exactly prompt/chosen/rejected/aspect, sft.jsonl loads as chat messages, the ranking form as LLaMA-Factory's")
    func rowsLoad() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("knowtuning-format-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("llama_factory"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let encoder = ExportFileWriter.encoder()
        func write(_ name: String, _ rows: [some Encodable]) throws {
            let text = try rows.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
        let pairs = [
            KnowTuningDPORow(prompt: "What is the Rhine?", chosen: "A river. It flows into the North Sea.", rejected: "A river.", aspect: .completeness),
            KnowTuningDPORow(prompt: "What is the Rhine?", chosen: "A river. It flows into the North Sea.", rejected: "A river. It flows into the Baltic Sea.", aspect: .factuality),
            KnowTuningDPORow(prompt: "Quote \"this\" — ünïcode?", chosen: "It flows into the North Sea. A river.", rejected: "A river. It flows.", aspect: .logicality),
        ]
        try write("dpo.jsonl", pairs)
        try write("sft.jsonl", [KnowTuningSFTRow(user: "What is the Rhine?", assistant: "A river."), KnowTuningSFTRow(user: "Where does the Rhine end?", assistant: "In the North Sea.")])
        try write("llama_factory/ranking.jsonl", pairs.map(LlamaFactoryRankingRow.init))
        try Data(try ExportFileWriter.encoder(pretty: true).encode(LlamaFactoryRankingRow.datasetInfo(name: "knowtuning", file: "ranking.jsonl")))
            .write(to: folder.appendingPathComponent("llama_factory/dataset_info.json"))
        let output = try await KnowTuningExportCheck.expectLoads(folder, llamaFactory: true)
        #expect(output.contains("3 dpo rows, 2 sft rows, 3 ranking rows"))
    }

    @Test("the checker catches an extra column and a rejected answer equal to the chosen one")
    func checkerFails() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("knowtuning-format-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"prompt":"Q","chosen":"A","rejected":"A","aspect":"logicality","score":1}"#.utf8).write(to: folder.appendingPathComponent("dpo.jsonl"))
        try Data(#"{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}]}"#.utf8).write(to: folder.appendingPathComponent("sft.jsonl"))
        let result = try await ChildProcess.complete(["python3", KnowTuningExportCheck.script, folder.path], timeout: .seconds(300))
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("dpo.jsonl columns are") && result.output.contains("chosen and rejected are the same"), "\(result.output)")
    }
}
