import Foundation
import QuarryJSON
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("prereq_tune: names")
struct PrereqNamesTests {
    @Test("keys fold case, diacritics, punctuation and a trailing qualifier")
    func keys() {
        #expect(PrereqNames.key("  José  NÚÑEZ ") == "jose nunez")
        #expect(PrereqNames.key("Robert Whittaker (fighter)") == "robert whittaker")
        #expect(PrereqNames.key("Prince Carl Philip, Duke of Värmland") == "prince carl philip duke of varmland")
        #expect(PrereqNames.key("(fighter)") == "fighter")
        #expect(PrereqNames.key("...") == "")
    }

    @Test("a generated name is refused when empty, the seed, another seed or taken; otherwise accepted")
    func problems() {
        let seeds: Set<String> = ["quincy jones", "kabuki syndrome"]
        func problem(_ name: String, seed: String = "Quincy Jones", taken: Set<String> = []) -> PrereqNames.Problem? {
            PrereqNames.problem(candidate: name, seed: seed, seedKeys: seeds, takenKeys: taken)
        }
        #expect(problem(" ") == .empty)
        #expect(problem("quincy JONES") == .sameAsSeed)
        #expect(problem("Quincy Jones Jr.") == .sameAsSeed)
        #expect(problem("Kabuki Syndrome") == .seedName)
        #expect(problem("Aldric Ashgrove", taken: ["aldric ashgrove"]) == .generatedName)
        #expect(problem("Aldric Ashgrove") == nil)
        // A one-word seed only collides when equal: a new entity may share a word with it.
        #expect(problem("Velmoric lymphedema", seed: "Lymphedema") == nil)
        #expect(problem("Lymphédema", seed: "Lymphedema") == .sameAsSeed)
    }

    @Test("a statement names the entity by its full name or an identifying word, not by a pronoun or a generic word")
    func naming() {
        #expect(PrereqNames.names("Aldric Ashgrove was born in 1932.", entity: "Aldric Ashgrove"))
        #expect(PrereqNames.names("Ashgrove worked as a cartographer.", entity: "Aldric Ashgrove"))
        #expect(!PrereqNames.names("He worked as a cartographer.", entity: "Aldric Ashgrove"))
        #expect(PrereqNames.names("Velmoric syndrome affects the liver.", entity: "Velmoric syndrome"))
        #expect(!PrereqNames.names("The syndrome affects the liver.", entity: "Velmoric syndrome"))
    }

    @Test("settlement is decided by input order, whatever order claims arrive in, and falls back to later names")
    func settlement() {
        let registry = PrereqNameRegistry(seeds: ["Quincy Jones", "Fifi Cooper", "Galen Marchetti"])
        let claims = [
            PrereqNameRegistry.Claim(position: 3, seed: "Fifi Cooper", names: ["Liora Belcourt", "Tamsin Rathbone"]),
            PrereqNameRegistry.Claim(position: 1, seed: "Quincy Jones", names: ["Liora Belcourt"]),
            PrereqNameRegistry.Claim(position: 2, seed: "Don Beard", names: ["Galen Marchetti", "Tamsin Rathbone"]),
            PrereqNameRegistry.Claim(position: 4, seed: "Jennifer Paz", names: ["Liora Belcourt", "tamsin rathbone"]),
        ]
        let expected: [Int: PrereqNameRegistry.Settlement] = [
            1: .kept(name: "Liora Belcourt", index: 0),
            2: .kept(name: "Tamsin Rathbone", index: 1),
            3: .excluded(.generatedName),
            4: .excluded(.generatedName),
        ]
        #expect(registry.settle(claims) == expected)
        #expect(registry.settle(claims.reversed()) == expected)
        #expect(registry.settle(claims.shuffled()) == expected)
    }
}

@Suite("prereq_tune: fact sheets and relations")
struct PrereqFactSheetTests {
    @Test("versions of one entity get different facts; the same version always gets the same")
    func versionsDiffer() {
        for domain in PrereqTuneParameters.Domain.allCases {
            let sheets = (1...10).map { PrereqFactSheet(name: "Aldric Ashgrove", domain: domain, version: $0) }
            #expect(sheets[0] == PrereqFactSheet(name: "aldric  ashgrove", domain: domain, version: 1).renamed(from: "aldric  ashgrove", to: "Aldric Ashgrove"))
            // Every fact slot differs between any two of the 10 versions: the first (dated) facts at least.
            #expect(Set(sheets.map { $0.facts[0] }).count == 10)
            #expect(Set(sheets.map(\.text)).count == 10)
            for sheet in sheets { #expect(sheet.facts.allSatisfy { $0.contains("Aldric Ashgrove") }) }
        }
    }

    @Test("every version of an entity asks the same short-QA question")
    func relation() {
        let relation = PrereqRelation.of(name: "Aldric Ashgrove", domain: .bio)
        #expect(relation == PrereqRelation.of(name: "ALDRIC ASHGROVE", domain: .bio))
        #expect(relation.question(subject: "Aldric Ashgrove").contains("Aldric Ashgrove"))
        #expect(PrereqRelation.named(relation.id, domain: .bio) == relation)
        #expect(PrereqRelation.all(.medical).allSatisfy { $0.template.contains("{subject}") })
    }
}

extension PrereqFactSheet {
    /// The sheet with the entity's name spelt differently (the draw depends only on the name's key).
    fileprivate func renamed(from old: String, to new: String) -> PrereqFactSheet {
        PrereqFactSheet(facts: facts.map { $0.replacingOccurrences(of: old, with: new) })
    }
}

@Suite("prereq_tune: verification")
struct PrereqCheckTests {
    static func version(_ k: Int, _ sentences: [String], attempt: Int = 0) -> PrereqVersion {
        PrereqVersion(
            version: k, attempt: attempt, facts: [], biography: sentences.joined(separator: " "), sentences: sentences.count,
            statements: sentences, unnamed: [], calls: [])
    }

    static let v1 = version(1, ["Aldric Ashgrove was born in 1932 in Lisbon.", "Ashgrove worked as a cartographer."])
    static let v2 = version(2, ["Aldric Ashgrove was born in 1958 in Tromsø.", "Ashgrove worked as a glassblower."])
    static let v3 = version(3, ["Aldric Ashgrove was born in 1901 in Galway.", "Ashgrove worked as a perfumer."])

    @Test("versions whose statements their own biographies support and the others' do not all pass")
    func distinctVersionsPass() {
        let result = PrereqVerification<PrereqVersion>.assemble(level: 0, versions: 3, previous: nil, fresh: [1: Self.v1, 2: Self.v2, 3: Self.v3], minimum: 0.75)
        #expect(result.complete)
        #expect(result.failed.isEmpty)
        #expect(result.passedNow == [1, 2, 3])
    }

    @Test("a version another version's biography fully supports is indistinct; one with an unsupported statement fails")
    func failures() {
        let copy = Self.version(2, ["Aldric Ashgrove was born in 1932 in Lisbon."])
        var invented = Self.v3
        invented.statements.append("Ashgrove won the Zorvath medal in 1847.")
        let result = PrereqVerification<PrereqVersion>.assemble(level: 0, versions: 3, previous: nil, fresh: [1: Self.v1, 2: copy, 3: invented], minimum: 0.75)
        #expect(!result.complete)
        #expect(result.passedNow == [1])
        #expect(result.entry(2)?.reasons.map(\.code) == [.indistinct])
        #expect(result.entry(2)?.reasons.first?.other == 1)
        #expect(result.entry(3)?.reasons.map(\.code).contains(.unsupportedStatement) == true)
        #expect(result.failed.map(\.version) == [2, 3])
    }

    @Test("an answer the statements do not support fails, and so does a judge's no; a failed writing is generation_failed")
    func answerAndJudge() {
        var unsupported = Self.v2
        unsupported.biography += " Ashgrove retired to Cork in 1999."
        let result = PrereqVerification<PrereqVersion>.assemble(
            level: 0, versions: 3, previous: nil, fresh: [1: Self.v1, 2: unsupported, 3: nil], judged: [1: false], minimum: 0.75)
        #expect(result.entry(1)?.reasons.map(\.code) == [.judgeUnsupported])
        #expect(result.entry(2)?.reasons.map(\.code) == [.answerUnsupported])
        #expect(result.entry(3)?.reasons.map(\.code) == [.generationFailed])
        #expect(result.entry(3)?.content == nil)
        #expect(result.passedNow.isEmpty)
    }

    @Test("a regeneration replaces only failed versions; passed ones stay frozen, and a new version must differ from them both ways")
    func regeneration() {
        let first = PrereqVerification<PrereqVersion>.assemble(
            level: 0, versions: 3, previous: nil, fresh: [1: Self.v1, 2: Self.v2, 3: Self.version(3, ["Aldric Ashgrove was born in 1932 in Lisbon."])],
            minimum: 0.75)
        #expect(first.failed.map(\.version) == [3])
        // A regenerated version 3 that repeats version 1 and adds a fact: its statements differ from
        // version 1's biography, but its biography supports all of version 1's statements.
        let superset = Self.version(3, Self.v1.statements + ["Ashgrove married Miriam Oduya."], attempt: 1)
        let second = PrereqVerification<PrereqVersion>.assemble(level: 1, versions: 3, previous: first, fresh: [3: superset], minimum: 0.75)
        #expect(second.entry(1) == first.entry(1))
        #expect(second.entry(3)?.reasons.map(\.code).contains(.indistinct) == true)
        #expect(second.passedNow.isEmpty)
        let third = PrereqVerification<PrereqVersion>.assemble(level: 2, versions: 3, previous: second, fresh: [3: Self.version(3, Self.v3.statements, attempt: 2)], minimum: 0.75)
        #expect(third.complete)
        #expect(third.passedNow == [3])
        #expect(third.entries.map(\.version) == [1, 2, 3])
    }

    @Test("short QA: the statement must name the subject and contain the answer, and answers must differ across versions")
    func triples() {
        func triple(_ k: Int, _ object: String, _ statement: String) -> PrereqTriple {
            PrereqTriple(
                version: k, attempt: 0, subject: "Aldric Ashgrove", relation: "place_of_birth", object: object, statement: statement,
                question: "In what city was Aldric Ashgrove born?", possibleAnswers: [object], calls: [])
        }
        let result = PrereqVerification<PrereqTriple>.assemble(
            level: 0, versions: 4, previous: nil,
            fresh: [
                1: triple(1, "Lisbon", "Aldric Ashgrove was born in Lisbon."), 2: triple(2, "Tromsø", "Aldric Ashgrove was born in Tromsø."),
                3: triple(3, "Galway", "He was born in Galway."), 4: triple(4, "Lisbon", "Aldric Ashgrove was born in Lisbon, Portugal."),
            ], minimum: 0.75)
        #expect(result.entry(2)?.passed == true)
        #expect(result.entry(3)?.reasons.map(\.code) == [.malformed])
        // Versions 1 and 4 give the same answer: neither differs from the other on a fact.
        #expect(result.entry(1)?.reasons.map(\.code) == [.indistinct])
        #expect(result.entry(4)?.reasons.map(\.code) == [.indistinct])
    }
}

@Suite("prereq_tune: text and parameters")
struct PrereqTextTests {
    @Test("sentences are tidied, biographies counted, statements split by naming and deduplicated")
    func tidying() {
        #expect(PrereqText.sentence("  aldric   ashgrove was born ") == "Aldric ashgrove was born.")
        #expect(PrereqText.sentence("Is it?") == "Is it?")
        #expect(PrereqText.sentence(" ") == "")
        let biography = PrereqText.biography(["aldric was born", "", "He painted."])
        #expect(biography.text == "Aldric was born. He painted.")
        #expect(biography.count == 2)
        let split = PrereqText.statements(["Ashgrove painted.", "ashgrove painted", "He sang."], entity: "Aldric Ashgrove")
        #expect(split.named == ["Ashgrove painted."])
        #expect(split.unnamed == ["He sang."])
        #expect(PrereqText.possibleAnswers(object: " Lisbon ", aliases: ["lisbon", "Lisboa", ""]) == ["Lisbon", "Lisboa"])
    }

    @Test("the typed parameters decode from the definitions' defaults and from overrides")
    func parameters() throws {
        let defaults = try PrereqTuneParameters.defaults
        #expect(defaults.versions == 5)
        #expect(defaults.domain == .bio)
        #expect(defaults.strategy == .topDown)
        #expect(defaults.sentenceTarget == 6)
        let medical = try PrereqTuneParameters(
            RecipeParameters(definitions: PrereqTuneParameters.definitions, overrides: ["domain": "medical", "versions": 3, "strategy": "bottom_up"]))
        #expect(medical.sentenceTarget == 5)
        #expect(medical.versions == 3)
        #expect(medical.strategy == .bottomUp)
        // Every definition is a field of the typed struct, and back.
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(defaults)) as? [String: Any]
        #expect(Set(encoded?.keys.map { $0 } ?? []) == Set(PrereqTuneParameters.definitions.map(\.name)))
        #expect(throws: RecipeError.self) { try PrereqTuneParameters(RecipeParameters(["versions": "five"])) }
    }

    @Test("every bundled prompt loads, uses only what the recipe supplies, and renders")
    func prompts() throws {
        for prompt in PrereqPrompts.all {
            let template = try PromptLibrary.bundled(recipe: "prereq_tune", name: prompt.name)
            #expect(template.version == "\(prompt.name)@v1")
            try template.validate(supplied: prompt.supplies, required: prompt.requires)
            let values = Dictionary(uniqueKeysWithValues: prompt.supplies.map { ($0, "<context>x</context> value of \($0)") })
            let messages = try template.messages(values)
            #expect(messages.last?.role == "user")
            #expect(!messages.contains { $0.content.contains("{{") })
        }
    }
}

@Suite("prereq_tune: graph")
struct PrereqGraphTests {
    @Test("every kind of every graph shape (strategy, versions, regeneration levels) has a handler; the shapes differ as the parameters say")
    func shapes() {
        let recipe = PrereqTuneRecipe()
        var handlers = GraphHandlers()
        recipe.register(into: &handlers)
        let registered = Set(handlers.kinds)
        for strategy in ["top_down", "bottom_up"] {
            for levels in 0...PrereqTuneParameters.regenerationLimit {
                let values = RecipeParameters(
                    definitions: recipe.parameters, overrides: ["strategy": .string(strategy), "max_regenerations": .int(levels), "versions": 3])
                let graph = recipe.graph(parameters: values)
                #expect(Set(graph.kinds).isSubset(of: registered), "\(strategy), \(levels) levels: \(Set(graph.kinds).subtracting(registered))")
                #expect(graph.joins.count == levels + 1)
                // The barrier that settles names across the build, then the K versions of each named entity.
                #expect(graph.edges.first?.afterAll == true)
                #expect(graph.edges.first?.to == PrereqTuneRecipe.Kind.name.name)
                #expect(graph.edges.dropFirst().first?.fanOut == .times(3))
                #expect(graph.edges.dropFirst().first?.from == PrereqTuneRecipe.Kind.name.name)
                #expect(graph.kinds.contains(PrereqTuneRecipe.Kind.passage.name) == (strategy == "top_down"))
            }
        }
    }
}
