import QuarryRecipes
@testable import QuarrySimulator

/// The simulator's own test of whether a text carries injected facts: the invented words
/// (`FictitiousVocabulary`) it puts into hallucinated answers, which no prompt of ours contains. It is
/// how the simulator decides `x-sim-hallucinated` for the content it sends, so it is the ground truth
/// per answer (cross-checked against `hallucinatedCompletionIDs` in the tests).
enum SimulatorGroundTruth {
    static func isHallucinated(_ text: String) -> Bool {
        !FictitiousVocabulary.inventedWords(in: text, promptKeys: []).isEmpty
    }
}
