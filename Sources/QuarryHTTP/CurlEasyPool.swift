/// Idle easy handles kept for reuse. Driver-thread only, so a plain array suffices.
struct CurlEasyPool {
    private var idle: [CurlEasyHandle] = []
    let maxIdle: Int

    init(maxIdle: Int) {
        self.maxIdle = max(0, maxIdle)
    }

    var idleCount: Int { idle.count }

    /// A reset handle, reused if one is idle; nil only if libcurl cannot allocate one.
    mutating func acquire() -> CurlEasyHandle? {
        idle.popLast() ?? CurlEasyHandle()
    }

    /// Takes back a handle that is no longer attached to the multi handle.
    mutating func recycle(_ handle: CurlEasyHandle) {
        guard idle.count < maxIdle else { return }
        handle.reset()
        idle.append(handle)
    }

    mutating func removeAll() {
        idle.removeAll()
    }
}
