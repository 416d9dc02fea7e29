import QuarryLLM
import QuarryQueue

/// KnowTuning ("KnowTuning: Knowledge-aware Fine-tuning for Large Language Models", Lyu et al., 2024):
/// SFT and preference data that teach a model the facts of its answers.
///
/// Per QA record: the answer's atomic facts are extracted; each fact is scored by the model being
/// trained (perplexity from token log-probs, optionally given the question); the hardest α are kept
/// and a question/answer pair is rewritten around each (fine-grained SFT). Three corruptions of the
/// answer make rejected responses (coarse-grained preference pairs): completeness (a fraction β of
/// the facts dropped), factuality (facts revised to be false) and logicality (facts reordered); each
/// negative is verified before it is exported.
///
/// The graph (see `graph(parameters:)`):
/// ```
/// extract ─forEach(facts)→ score ─join(extract, over: score)→ select ─forEach(hard)→ rewrite
///         ─then(fact_count ≥ 2)→ corrupt.completeness ─then→ verify
///         ─then(fact_count ≥ 1)→ corrupt.factuality   ─then→ verify
///         ─then(fact_count ≥ 2)→ corrupt.logicality   ─then→ verify
/// ```
/// The join fires for a record with no facts too, so every record reaches the report.
public struct KnowTuningRecipe: Recipe {
    public enum Role {
        public static let generator = "generator"
        public static let scorer = "scorer"
        public static let judge = "judge"
    }

    public enum Prompt {
        public static let extractFacts = "extract_facts"
        public static let rewrite = "rewrite_qa"
        public static let answerFromFacts = "answer_from_facts"
        public static let falsifyFacts = "falsify_facts"
        public static let judgeContradiction = "judge_contradiction"
    }

    public init() {}

    public let name = "knowtuning"
    public let summary =
        "atomic facts per answer scored by perplexity; hard facts rewritten into SFT pairs; completeness, factuality and logicality negatives verified into DPO pairs"

    public var parameters: [RecipeParameter] { Parameters.definitions }

    public let roles = [
        RecipeRole(Role.generator, help: "extracts facts, rewrites QA pairs, writes corrupted answers"),
        RecipeRole(Role.scorer, help: "the model being trained: scores facts by perplexity through /completions with echo + logprobs (vLLM, llama.cpp)"),
        RecipeRole(Role.judge, help: "says whether each revised (falsified) statement contradicts its original"),
    ]

    public let inputFields = [
        RecipeInputField("instruction", required: true, help: "the question"),
        RecipeInputField("input", required: false, help: "extra material for the question (appended after a blank line)"),
        RecipeInputField("output", required: true, help: "the reference answer facts are extracted from (chosen in preference pairs)"),
        RecipeInputField("id", required: false, help: "the record's own identifier, kept for provenance"),
    ]

    public let prompts = [
        RecipePrompt(Prompt.extractFacts, supplies: ["question", "answer"], requires: ["answer"]),
        RecipePrompt(Prompt.rewrite, supplies: ["question", "answer", "fact"], requires: ["fact"]),
        RecipePrompt(Prompt.answerFromFacts, supplies: ["question", "facts"], requires: ["facts"]),
        RecipePrompt(Prompt.falsifyFacts, supplies: ["question", "facts", "count"], requires: ["facts"]),
        RecipePrompt(Prompt.judgeContradiction, supplies: ["original", "revised"], requires: ["original", "revised"]),
    ]
}
