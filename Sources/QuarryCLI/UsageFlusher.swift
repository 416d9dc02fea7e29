import QuarryLLM
import ServiceLifecycle

/// Writes a worker's LLM usage rows every second while it runs (`LLMService.runUsageFlusher`), so
/// `llm_usage` keeps up with the calls; the worker command writes the last ones after the worker stops.
struct UsageFlusher: Service {
    let llm: LLMService

    func run() async throws {
        await cancelWhenGracefulShutdown { await llm.runUsageFlusher() }
    }
}
