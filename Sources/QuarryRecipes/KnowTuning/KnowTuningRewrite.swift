/// The output of `knowtuning.rewrite`: a question and answer rewritten around one hard fact (an SFT pair).
public struct KnowTuningRewrite: Sendable, Equatable, Codable {
    public var fact: String
    public var question: String
    public var answer: String
    public var call: LLMCallRecord

    public init(fact: String, question: String, answer: String, call: LLMCallRecord) {
        self.fact = fact
        self.question = question
        self.answer = answer
        self.call = call
    }
}
