#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A joinable POSIX thread running one closure.
///
/// The driver needs a thread of its own that blocks in `epoll_wait` (or `curl_multi_poll`): parking a
/// cooperative-pool thread there would starve Swift concurrency on a 2-core machine. Foundation's `Thread` cannot be
/// joined, and `shutdown()` promises that the driver has really exited, so this is pthreads directly.
struct DriverThread: @unchecked Sendable {
    // `@unchecked Sendable`: `pthread_t` is an opaque thread id (an integer on Linux, a pointer on
    // Darwin); copying it between threads is how pthreads is meant to be used.
    #if canImport(Darwin)
    private let id: pthread_t?
    #else
    private let id: pthread_t
    #endif

    /// Box that carries the closure through pthread_create's `void *` argument.
    private final class Start {
        let body: () -> Void
        init(body: @escaping () -> Void) {
            self.body = body
        }
    }

    /// Starts a thread running `body`. Returns nil if the system refuses to create one.
    /// (Unnamed: Glibc hides `pthread_setname_np` behind `_GNU_SOURCE`, which Swift does not define.)
    static func spawn(_ body: @escaping () -> Void) -> DriverThread? {
        let start = Unmanaged.passRetained(Start(body: body)).toOpaque()
        #if canImport(Darwin)
        var id: pthread_t? = nil
        #else
        var id = pthread_t()
        #endif
        let rc = pthread_create(&id, nil, { raw in
            let arg: UnsafeMutableRawPointer? = raw
            guard let arg else { return nil }  // pthread_create always passes the pointer given below
            let start = Unmanaged<Start>.fromOpaque(arg).takeRetainedValue()
            start.body()
            return nil
        }, start)
        guard rc == 0 else {
            Unmanaged<Start>.fromOpaque(start).release()
            return nil
        }
        return DriverThread(id: id)
    }

    /// True when called on this thread (a join from here would deadlock).
    var isCurrent: Bool {
        #if canImport(Darwin)
        guard let id else { return false }
        #endif
        return pthread_equal(id, pthread_self()) != 0
    }

    /// Waits for the thread to exit, or detaches it when called from the thread itself.
    /// Must be called exactly once.
    func join() {
        #if canImport(Darwin)
        guard let id else { return }
        #endif
        if isCurrent {
            pthread_detach(id)
        } else {
            pthread_join(id, nil)
        }
    }
}
