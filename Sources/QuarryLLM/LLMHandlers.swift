import QuarryQueue

/// The task kinds QuarryLLM provides.
public enum LLMHandlers {
    /// Registers `llm.chat` (see `ChatTaskHandler`).
    public static func register(into registry: inout HandlerRegistry, service: LLMService) {
        registry.register(ChatTaskHandler.kind, ChatTaskHandler(service: service))
    }
}
