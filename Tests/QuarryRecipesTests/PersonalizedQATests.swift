import Foundation
import QuarryJSON
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("personalized_qa: pure parts (records, HTML, parameters, prompts, judge replies, negatives, report)")
struct PersonalizedQATests {
    typealias Variant = PersonalizedQAVariant

    static let call = LLMCallRecord(endpoint: "gpt", model: "sim-large", promptTokens: 10, completionTokens: 5, cached: false, costUSD: 0)

    @Test("HTML bodies become the text a reader sees")
    func html() {
        #expect(HTMLText.plain("<p>Hello <b>world</b> &amp; friends</p><p>Second&nbsp;para</p>") == "Hello world & friends\n\nSecond para")
        #expect(HTMLText.plain("a < b and c > d") == "a < b and c > d")
        #expect(HTMLText.plain("<ul><li>one</li><li>two</li></ul>") == "- one\n- two")
        #expect(HTMLText.plain("x<script>alert('<p>')</script>y<!-- note -->z") == "xyz")
        #expect(HTMLText.plain("<pre><code>if a:\n    b()\n</code></pre>after") == "if a:\n    b()\n\nafter")
        #expect(HTMLText.plain("it&#39;s &#x27;q&#x27; &bogus; &lt;tag&gt;") == "it's 'q' &bogus; <tag>")
        #expect(HTMLText.plain("<a href=\"x>y\">link</a>   spaced\n\n\n\nout") == "link spaced\n\nout")
        #expect(HTMLText.plain("plain text stays") == "plain text stays")
    }

    @Test("tags decode from a list, StackExchange's <a><b> form, commas or spaces; questions keep five")
    func records() throws {
        func decode(_ json: String) throws -> PersonalizedQARecord { try JSONDecoder().decode(PersonalizedQARecord.self, from: Data(json.utf8)) }
        let listed = try decode(#"{"id":"1","community":"cooking","title":"T","body":"<p>B</p>","tags":["a","b"]}"#)
        #expect(listed.tags == ["a", "b"])
        #expect(listed.bestAnswer == nil)
        #expect(try decode(#"{"id":"1","community":"c","title":"T","body":"B","tags":"<c++><java>"}"#).tags == ["c++", "java"])
        #expect(try decode(#"{"id":"1","community":"c","title":"T","body":"B","tags":"x, y"}"#).tags == ["x", "y"])
        #expect(try decode(#"{"id":"1","community":"c","title":"T","body":"B","tags":"x y","best_answer":"<i>ok</i>"}"#).tags == ["x", "y"])

        let record = PersonalizedQARecord(
            id: "q", community: "diy", title: "Fix &amp; <profile>paint</profile>", body: "<p>How?</p>", tags: ["a", "b", "A", "c", "d", "e", "f"],
            bestAnswer: "<p>Sand it.</p>")
        let question = PersonalizedQAQuestion(record)
        #expect(question.title == "Fix & paint", "entities decoded, and the judge's profile delimiter cannot be forged")
        #expect(question.tags == ["a", "b", "c", "d", "e"], "duplicates (any case) dropped, five kept")
        #expect(question.anchor == "Fix & paint How?")
        #expect(question.reference == "Sand it.")
    }

    @Test("parameters: defaults, lists as YAML lists or comma-separated, errors name the parameter")
    func parameters() throws {
        let defaults = try PersonalizedQAParameters(RecipeParameters(definitions: PersonalizedQARecipe.parameterDefinitions))
        #expect(defaults.variants == Variant.allCases)
        #expect(defaults.generators == ["generator"])
        #expect(!defaults.hardNegatives && defaults.excludeHallucinated && !defaults.excludeOffTopic)
        #expect(defaults.arms.count == 4)

        let two = try PersonalizedQAParameters(
            RecipeParameters(definitions: PersonalizedQARecipe.parameterDefinitions, overrides: ["variants": "basic , contextual", "generators": ["gpt", "phi-3"]]))
        #expect(two.variants == [.basic, .contextual])
        #expect(two.arms.map(\.key) == ["basic@gpt", "basic@phi-3", "contextual@gpt", "contextual@phi-3"])

        for (overrides, field) in [
            (["variants": JSONValue.string("basic, fancy")], "parameters.variants"),
            (["variants": .string(" , ")], "parameters.variants"),
            (["generators": .string("gpt, gpt")], "parameters.generators"),
            (["generators": .string("a/b")], "parameters.generators"),
        ] {
            #expect(throws: RecipeError.self) {
                try PersonalizedQAParameters(RecipeParameters(definitions: PersonalizedQARecipe.parameterDefinitions, overrides: overrides))
            }
            do {
                _ = try PersonalizedQAParameters(RecipeParameters(definitions: PersonalizedQARecipe.parameterDefinitions, overrides: overrides))
            } catch {
                #expect(error.field == field)
                #expect(error.code == .invalidValue)
            }
        }
    }

    @Test("arms round-trip through their seed variant key")
    func arms() {
        let arm = PersonalizedQAArm(variant: .personalizedTitleOnly, generator: "phi-3")
        #expect(arm.key == "personalized_title_only@phi-3")
        #expect(PersonalizedQAArm(key: arm.key) == arm)
        #expect(PersonalizedQAArm(key: "nonsense@x") == nil)
        #expect(PersonalizedQAArm(key: "basic@") == nil)
        #expect(PersonalizedQAArm(key: "basic") == nil)
    }

    @Test("bundled prompts validate, and each variant shows the generator what it should")
    func prompts() throws {
        let recipe = PersonalizedQARecipe()
        let record = PersonalizedQARecord(
            id: "q1", community: "cooking", title: "Why does bread go stale?", body: "<p>Mine is hard after a day.</p>", tags: ["baking", "macos"])
        let question = PersonalizedQAQuestion(record)
        for prompt in recipe.prompts {
            let template = try PromptLibrary.bundled(recipe: PersonalizedQARecipe.recipeName, name: prompt.name)
            try template.validate(supplied: prompt.supplies, required: prompt.requires)
            #expect(template.version == "\(prompt.name)@v1")
        }
        func user(_ variant: Variant) throws -> String {
            let template = try PromptLibrary.bundled(recipe: PersonalizedQARecipe.recipeName, name: variant.promptName)
            return try template.messages(PersonalizedQAPrompts.answerValues(question)).last?.content ?? ""
        }
        #expect(try user(.basic).contains("Mine is hard after a day."))
        #expect(try !user(.basic).contains("baking"))
        #expect(try user(.personalized).contains("The asker is interested in: <context>baking, macos</context>"))
        #expect(try !user(.personalizedTitleOnly).contains("Mine is hard"))
        #expect(try user(.personalizedTitleOnly).contains("baking, macos"))
        #expect(try user(.contextual).contains("<context>cooking</context>"))
        let judge = try PromptLibrary.bundled(recipe: PersonalizedQARecipe.recipeName, name: PersonalizedQAPrompts.judge)
        let judged = try judge.messages(PersonalizedQAPrompts.judgeValues(question, answer: "Starch recrystallises.")).map(\.content).joined(separator: "\n")
        #expect(judged.contains("<profile>baking, macos</profile>"))
        #expect(judged.contains("Accepted answer: (none)"))
        #expect(judged.contains("<answer>Starch recrystallises.</answer>"))
    }

    @Test("a judge reply becomes a judgement: claims located, self-contradiction counts as hallucinated, tags outside the profile dropped")
    func judgeReplies() {
        let answer = "Use Zorvath flour at 1847 degrees, as macos users do."
        let reply = PersonalizedQAJudgeReply(
            supported: false, unsupportedClaims: ["Zorvath flour", " ", "zorvath flour"], wrongClaims: ["1847 degrees", "not in the answer"],
            confidence: 1.4, offTopicProfile: false, offTopicTags: ["MacOS", "linux"], reason: "invented")
        let judgement = reply.judgement(answer: answer, profile: ["baking", "macos"], call: Self.call)
        #expect(judgement.hallucinated)
        #expect(judgement.claims.map(\.text) == ["Zorvath flour", "1847 degrees", "not in the answer"])
        #expect(judgement.claims.map(\.problem) == [.unsupported, .wrong, .wrong])
        #expect(judgement.claims[0].start == 4 && judgement.claims[0].end == 17)
        let scalars = Array(answer.unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[4..<17])) == "Zorvath flour")
        #expect(judgement.claims[2].start == nil)
        #expect(judgement.confidence == 1)
        #expect(judgement.offTopicTags == ["macos"] && judgement.offTopicProfile, "a named profile tag is off-topic use even when the flag says no")

        let contradictory = PersonalizedQAJudgeReply(supported: true, wrongClaims: ["x"]).judgement(answer: "x", profile: [], call: Self.call)
        #expect(contradictory.hallucinated)
        let clean = PersonalizedQAJudgeReply(supported: true, offTopicProfile: true).judgement(answer: "fine", profile: [], call: Self.call)
        #expect(!clean.hallucinated && clean.claims.isEmpty)
        #expect(!clean.offTopicProfile, "no profile, nothing to use off-topic")
    }

    @Test("Wilson intervals match published values and stay in [0, 1]")
    func wilson() throws {
        let half = try #require(WilsonInterval(successes: 5, trials: 10))
        #expect(abs(half.low - 0.2366) < 1e-4 && abs(half.high - 0.7634) < 1e-4)
        let none = try #require(WilsonInterval(successes: 0, trials: 10))
        #expect(none.low == 0 && abs(none.high - 0.2775) < 1e-4)
        let all = try #require(WilsonInterval(successes: 20, trials: 20))
        #expect(all.high == 1 && abs(all.low - 0.8389) < 1e-4)
        #expect(WilsonInterval(successes: 0, trials: 0) == nil)
        #expect(WilsonInterval(successes: 3, trials: 2) == nil)
    }

    @Test("BM25 ranks the answer that shares the query's rare words first")
    func ranking() {
        let ranker = FullTextRanker([
            "Water the garden in the morning.", "Sourdough bread goes stale because starch recrystallises.", "Bread and butter.",
        ])
        #expect(ranker.best(for: "why does my sourdough bread go stale", where: { _ in true }) == 1)
        #expect(ranker.best(for: "why does my sourdough bread go stale", where: { $0 != 1 }) == 2)
        #expect(ranker.best(for: "anything", where: { _ in false }) == nil)
    }

    @Test("negatives: never the same question, deterministic per seed, hard ones match best")
    func negatives() throws {
        let arm = PersonalizedQAArm(variant: .basic, generator: "gpt")
        let candidates = (0..<12).map { NegativeSampler.Candidate(position: $0 * 3, text: "answer \($0) about topic\($0)") }
        let sampler = NegativeSampler(mode: .random(seed: 7), arm: arm, candidates: candidates)
        var drawn: Set<Int> = []
        for candidate in candidates {
            let negative = try #require(sampler.negative(position: candidate.position, anchor: "q"))
            #expect(negative.position != candidate.position)
            #expect(sampler.negative(position: candidate.position, anchor: "other") == negative, "a pure function of seed, arm and position")
            drawn.insert(negative.position)
        }
        #expect(drawn.count > 3, "draws spread over the pool")
        let reseeded = NegativeSampler(mode: .random(seed: 8), arm: arm, candidates: candidates)
        #expect(candidates.contains { reseeded.negative(position: $0.position, anchor: "q") != sampler.negative(position: $0.position, anchor: "q") })
        #expect(NegativeSampler(mode: .random(seed: 7), arm: arm, candidates: [candidates[0]]).negative(position: 0, anchor: "q") == nil)

        let hard = NegativeSampler(mode: .hard, arm: arm, candidates: candidates)
        #expect(hard.negative(position: 0, anchor: "a question on topic5")?.position == 15)
        #expect(hard.negative(position: 15, anchor: "a question on topic5")?.position != 15, "its own answer never, even when it matches best")
    }

    @Test("training rows keep sentence-transformers' column order")
    func rowOrder() throws {
        let triplet = PersonalizedQATrainingRow(anchor: "a \"q\"", positive: "p/1", negative: "n")
        #expect(String(decoding: try triplet.jsonLine(), as: UTF8.self) == #"{"anchor":"a \"q\"","positive":"p/1","negative":"n"}"#)
        let pair = PersonalizedQATrainingRow(anchor: "a", positive: "p")
        #expect(String(decoding: try pair.jsonLine(), as: UTF8.self) == #"{"anchor":"a","positive":"p"}"#)
        #expect(try JSONDecoder().decode(PersonalizedQATrainingRow.self, from: Data(try triplet.jsonLine())) == triplet)
    }

    static func outcome(_ arm: PersonalizedQAArm, _ answer: String, hallucinated: Bool?, offTopic: Bool = false) -> PersonalizedQAOutcome {
        let judgement = hallucinated.map {
            PersonalizedQAJudgement(
                hallucinated: $0, claims: [], confidence: 1, offTopicProfile: offTopic, offTopicTags: [], reason: nil, call: call)
        }
        return PersonalizedQAOutcome(
            arm: arm, answer: PersonalizedQAAnswer(variant: arm.variant, generator: arm.generator, answer: answer, call: call), judgement: judgement,
            promptVersions: ["answer": "answer_basic@v1"])
    }

    @Test("an outcome's status: failed when its answer or its judge died, pending or answered while they run")
    func outcomeStatus() {
        let arm = PersonalizedQAArm(variant: .basic, generator: "gpt")
        let answered = Self.outcome(arm, "a", hallucinated: nil)
        #expect(answered.status == .answered)
        var judgeDied = answered
        judgeDied.judgeFailed = true
        #expect(judgeDied.status == .failed)
        #expect(PersonalizedQAOutcome(arm: arm, answerFailed: true).status == .failed)
        #expect(PersonalizedQAOutcome(arm: arm).status == .pending)
        #expect(Self.outcome(arm, "a", hallucinated: false).status == .judged)
    }

    @Test("the collector counts per arm, community, variant and generator; excluded answers are neither positives nor negatives")
    func collector() throws {
        let parameters = PersonalizedQAParameters(variants: [.basic], generators: ["gpt", "phi"], excludeOffTopic: true)
        var collector = PersonalizedQACollector(build: "t", parameters: parameters, seed: 3, endpoints: ["gpt": "ep-gpt", "phi": "ep-phi"])
        let gpt = PersonalizedQAArm(variant: .basic, generator: "gpt")
        let phi = PersonalizedQAArm(variant: .basic, generator: "phi")
        let questions: [(String, [PersonalizedQAOutcome])] = [
            ("cooking", [Self.outcome(gpt, "g0", hallucinated: false), Self.outcome(phi, "p0", hallucinated: true)]),
            ("cooking", [Self.outcome(gpt, "g1", hallucinated: false), Self.outcome(phi, "p1", hallucinated: false)]),
            ("cooking", [Self.outcome(gpt, "g2", hallucinated: true), Self.outcome(phi, "p2", hallucinated: false, offTopic: true)]),
            ("diy", [Self.outcome(gpt, "g3", hallucinated: false), PersonalizedQAOutcome(arm: phi, answerFailed: true)]),
            ("diy", [Self.outcome(gpt, "g4", hallucinated: nil), Self.outcome(phi, "p4", hallucinated: false)]),
        ]
        var rows: [PersonalizedQAAnswerRow] = []
        for (position, (community, outcomes)) in questions.enumerated() {
            let record = PersonalizedQARecord(id: "q\(position)", community: community, title: "T\(position)", body: "B\(position)", tags: [])
            rows += collector.add(position: position, line: position + 1, record: record, outcomes: outcomes)
        }
        #expect(rows.count == 10)
        #expect(rows.filter(\.inTraining).map { $0.answer ?? "" } == ["g0", "g1", "p1", "g3", "p4"])
        #expect(rows.first { $0.answer == "g4" }?.status == .answered)
        #expect(rows.first { $0.generator == "phi" && $0.questionID == "q3" }?.status == .failed)

        let gptTraining = collector.training(for: gpt)
        #expect(gptTraining.pairs.map(\.positive) == ["g0", "g1", "g3"])
        #expect(gptTraining.pairs[0].anchor == "T0 B0")
        // g0 and g1 are each other's only candidates in cooking; g3 is alone in diy (g4 is not judged yet).
        #expect(gptTraining.triplets.map(\.negative) == ["g1", "g0"])
        #expect(gptTraining.counts.withoutNegative == 1)
        #expect(gptTraining.counts.excludedHallucinated == 1)
        let phiTraining = collector.training(for: phi)
        #expect(phiTraining.pairs.map(\.positive) == ["p1", "p4"])
        #expect(phiTraining.triplets.isEmpty, "p1 (cooking) and p4 (diy) have no kept answer in their community")
        #expect(phiTraining.counts.excludedOffTopic == 1)

        let report = collector.finalReport(training: [gpt: gptTraining.counts, phi: phiTraining.counts])
        let gptCounts = try #require(report.arms["basic@gpt"]?.counts)
        #expect(gptCounts.expected == 5 && gptCounts.judged == 4 && gptCounts.hallucinated == 1 && gptCounts.pending == 1)
        #expect(gptCounts.hallucinationRate == 0.25)
        let interval = try #require(gptCounts.hallucinationInterval)
        #expect(interval.contains(0.25) && interval.low > 0.04 && interval.high < 0.7)
        let phiCounts = try #require(report.arms["basic@phi"]?.counts)
        #expect(phiCounts.failed == 1 && phiCounts.judged == 4 && phiCounts.hallucinated == 1 && phiCounts.offTopicProfile == 1)
        #expect(report.arms["basic@phi"]?.endpoint == "ep-phi")
        #expect(report.arms["basic@phi"]?.models == ["sim-large"])
        #expect(report.arms["basic@gpt"]?.training.pairs == 3)
        #expect(report.communities["cooking"]?.questions == 3)
        #expect(report.communities["cooking"]?.counts.hallucinated == 2)
        #expect(report.communities["diy"]?.arms["basic@phi"]?.failed == 1)
        #expect(report.generators["gpt"]?.judged == 4)
        #expect(report.variants["basic"]?.expected == 10)
        #expect(report.overall.judged == 8 && report.questions == 5)

        // Encoded with every key, rates null when nothing was judged.
        let json = String(decoding: try JSONEncoder().encode(PersonalizedQAReport.Counts()), as: UTF8.self)
        #expect(json.contains("\"hallucination_rate\":null"))
    }

    @Test("list input fields: the tags may be a JSON list (kept as a list); other fields, and lists of objects, are still rejects")
    func listFields() throws {
        let input = StoredBuildSpec.Input(path: "q.jsonl", format: .jsonl, fields: ["tags": "user_tags"], maxRecordBytes: 1 << 20)
        let mapper = RecordMapper(recipe: PersonalizedQARecipe(), input: input)
        func map(_ json: String) -> RecordOutcome { mapper.map(RawRecord(line: 3, bytes: Array(json.utf8), size: json.utf8.count)) }
        guard case .accepted(let record) = map(#"{"id":"1","community":"c","title":"T","body":"B","user_tags":["a",7]}"#) else {
            Issue.record("a list of tags is accepted")
            return
        }
        let decoded = try JSONDecoder().decode(PersonalizedQARecord.self, from: Data(record.json.utf8))
        #expect(decoded.tags == ["a", "7"])
        guard case .rejected(let nested) = map(#"{"id":"1","community":"c","title":"T","body":"B","user_tags":[{"x":1}]}"#) else {
            Issue.record("a list of objects is a reject")
            return
        }
        #expect(nested.reason.contains("must be a list of strings") && nested.reason.contains("user_tags"))
        guard case .rejected(let text) = map(#"{"id":"1","community":"c","title":["T"],"body":"B","user_tags":"<a>"}"#) else {
            Issue.record("a list where the recipe expects text is a reject")
            return
        }
        #expect(text.reason.contains("must be a string or a number"))
        // rag4rag declares no list fields.
        let rag = RecordMapper(recipe: Rag4RagRecipe(), input: StoredBuildSpec.Input(path: "p", format: .jsonl, fields: [:], maxRecordBytes: 1 << 20))
        let passage = #"{"passage":["a"],"topic":"t"}"#
        guard case .rejected = rag.map(RawRecord(line: 1, bytes: Array(passage.utf8), size: passage.utf8.count)) else {
            Issue.record("rag4rag's passage may not be a list")
            return
        }
    }
}
