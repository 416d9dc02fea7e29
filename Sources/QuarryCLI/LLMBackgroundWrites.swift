import QuarryLLM
import ServiceLifecycle

/// A worker's LLM writes every second while it runs (`LLMService.runBackgroundWrites`): usage rows, so
/// `llm_usage` keeps up with the calls, and the renewal of its claims on calls in flight. It stops after the
/// worker has drained (`ServiceRunner.run(_:stoppingLast:)`), and the worker command writes the last usage
/// rows after that.
struct LLMBackgroundWrites: Service {
    let llm: LLMService

    func run() async throws {
        await cancelWhenGracefulShutdown { await llm.runBackgroundWrites() }
    }
}
