import CCurl
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

#if os(Linux)
/// Where the driver thread sleeps, and how it runs libcurl when it wakes: libcurl's socket interface
/// over an epoll set.
///
/// libcurl reports, through `CURLMOPT_SOCKETFUNCTION`, each socket it wants watched (and for what), and
/// through `CURLMOPT_TIMERFUNCTION` when it next needs to run its timeouts. The epoll set holds exactly
/// those sockets plus an eventfd that other threads write to wake the driver. A wake-up costs the
/// kernel and libcurl work for the sockets that are ready, instead of a poll over every connection.
///
/// Sockets stay in the epoll set after libcurl stops watching them (`CURL_POLL_REMOVE`): with HTTP/1.1
/// keep-alive each request on a pooled connection used to cost an `EPOLL_CTL_ADD` and an `EPOLL_CTL_DEL`,
/// and the next request on that connection nearly always wants the same events back. An event on a socket
/// libcurl is not watching is dropped and the socket taken out then. What keeps this exact is that libcurl
/// closes every socket through `closeSocketCallback` (set on every easy handle), so a socket number reused
/// by a new connection is never mistaken for one still in the set.
///
/// Driver-thread only, except `wake()`, which is a `write` to the eventfd and safe from any thread.
/// The libcurl callbacks receive this object unretained; the driver owns it and outlives the multi
/// handle's last callback (`curl_multi_cleanup` runs before the driver is freed).
final class CurlWaiter {
    private let multi: UnsafeMutableRawPointer
    private let logger: Logger
    private let epollFD: Int32
    private let wakeFD: Int32
    /// Longest sleep without any event: a backstop in case a timer update were ever missed.
    private let backstopMilliseconds: Int32
    private let eventCapacity = 1024
    private let events: UnsafeMutablePointer<epoll_event>
    /// When libcurl next wants `CURL_SOCKET_TIMEOUT`, in `CLOCK_MONOTONIC` nanoseconds; nil = no timer.
    private var timerDeadline: UInt64?
    /// `epoll_wait` returned nothing: run libcurl's timeouts even if no deadline is recorded.
    private var timedOut = false
    private var runningHandles: Int32 = 0
    private var reportedFailure = false
    /// By socket number: the events the epoll set holds for it, with `Self.inSet` marking membership
    /// (0: not in the set).
    private var registration: [UInt32] = []
    /// By socket number: libcurl currently wants events for it.
    private var curlWatches: [Bool] = []
    private static let inSet: UInt32 = 1 << 31

    init?(multi: UnsafeMutableRawPointer, backstop: Duration, logger: Logger) {
        let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { return nil }
        let wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            Glibc.close(epollFD)
            return nil
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeFD
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0 else {
            Glibc.close(wakeFD)
            Glibc.close(epollFD)
            return nil
        }
        self.multi = multi
        self.logger = logger
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        self.backstopMilliseconds = Int32(clamping: max(1, backstop.curlMilliseconds))
        self.events = .allocate(capacity: eventCapacity)
        self.events.initialize(repeating: epoll_event(), count: eventCapacity)
    }

    /// Points libcurl's socket and timer callbacks at this waiter. Before any handle is added.
    func install() {
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = quarry_curl_multi_setopt_socket_cb(multi, Self.socketCallback)
        _ = quarry_curl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, me)
        _ = quarry_curl_multi_setopt_timer_cb(multi, Self.timerCallback)
        _ = quarry_curl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, me)
    }

    /// Closes the epoll set and the eventfd. Only after `curl_multi_cleanup` and once nobody can call
    /// `wake()` any more (the driver's deinit).
    func closeDescriptors() {
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
        events.deinitialize(count: eventCapacity)
        events.deallocate()
    }

    /// Makes the driver's `wait()` return. Thread-safe: an eventfd write just adds to its counter.
    func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }

    /// Sleeps until a socket is ready, libcurl's timer is due, a wake-up arrives or the backstop
    /// passes; hands each ready socket to libcurl. Returns true when woken (the inbox may hold work).
    /// With `blocking` false it only collects what is ready now (the driver has jobs of its own to run).
    func wait(blocking: Bool = true) -> Bool {
        let count = epoll_wait(epollFD, events, Int32(eventCapacity), blocking ? sleepMilliseconds() : 0)
        if count < 0 {
            let error = errno
            if error != EINTR {
                if !reportedFailure {
                    reportedFailure = true
                    logger.error("epoll_wait failed", metadata: ["errno": "\(error)"])
                }
                // A wait that fails returns at once; without a pause the loop would spin a core.
                usleep(10_000)
            }
            return true
        }
        if count == 0 {
            if blocking { timedOut = true }
            return false
        }
        var woken = false
        for index in 0..<Int(count) {
            let event = events[index]
            let fd = event.data.fd
            if fd == wakeFD {
                // Read (reset) before the driver drains the inbox: a submit racing with the drain then
                // leaves the counter set and costs one spurious wake-up, never a lost one.
                var value: UInt64 = 0
                _ = read(wakeFD, &value, MemoryLayout<UInt64>.size)
                woken = true
                continue
            }
            guard fd >= 0, Int(fd) < curlWatches.count, curlWatches[Int(fd)] else {
                // A pooled connection libcurl is not watching (the server closed it, say): take it out
                // of the set now; libcurl notices for itself when it next considers the connection.
                _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
                if fd >= 0, Int(fd) < registration.count { registration[Int(fd)] = 0 }
                continue
            }
            var mask: Int32 = 0
            if event.events & EPOLLIN.rawValue != 0 { mask |= CURL_CSELECT_IN }
            if event.events & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
            if event.events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { mask |= CURL_CSELECT_ERR }
            _ = curl_multi_socket_action(multi, fd, mask, &runningHandles)
        }
        return woken
    }

    /// Runs libcurl's timeouts (connect and total timeouts, and starting newly added handles) if its
    /// timer is due.
    func runDueTimer() {
        if !timedOut {
            guard let deadline = timerDeadline, deadline <= Self.monotonicNanoseconds() else { return }
        }
        timedOut = false
        timerDeadline = nil
        // libcurl may set a new deadline from inside this call, through the timer callback.
        _ = curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &runningHandles)
    }

    private func sleepMilliseconds() -> Int32 {
        guard let deadline = timerDeadline else { return backstopMilliseconds }
        let now = Self.monotonicNanoseconds()
        guard deadline > now else { return 0 }
        // Rounded up: waking a little early would only come back here with a 0 ms sleep to spare.
        let milliseconds = (deadline - now + 999_999) / 1_000_000
        return Int32(min(UInt64(backstopMilliseconds), milliseconds))
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    // MARK: libcurl callbacks (driver thread, inside libcurl calls)

    /// The `CURLOPT_CLOSESOCKETDATA` to pair with `closeSocketCallback` on every easy handle.
    var closeSocketContext: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    private static let socketCallback: curl_socket_callback = { _, fd, what, userdata, _ in
        guard let userdata else { return 0 }
        let waiter = Unmanaged<CurlWaiter>.fromOpaque(userdata).takeUnretainedValue()
        waiter.watch(fd, what: what)
        return 0
    }

    private static let timerCallback: curl_multi_timer_callback = { _, timeoutMilliseconds, userdata in
        guard let userdata else { return 0 }
        let waiter = Unmanaged<CurlWaiter>.fromOpaque(userdata).takeUnretainedValue()
        if timeoutMilliseconds < 0 {
            waiter.timerDeadline = nil
        } else {
            // Not acted on here: libcurl asks that socket_action not be called from inside its callback.
            waiter.timerDeadline = monotonicNanoseconds() &+ UInt64(timeoutMilliseconds) &* 1_000_000
        }
        return 0
    }

    /// libcurl closing a socket: closing it drops it from the epoll set, so forget its registration.
    static let closeSocketCallback: curl_closesocket_callback = { userdata, fd in
        if let userdata {
            Unmanaged<CurlWaiter>.fromOpaque(userdata).takeUnretainedValue().forget(fd)
        }
        return Glibc.close(fd)
    }

    private func forget(_ fd: curl_socket_t) {
        guard fd >= 0, Int(fd) < registration.count else { return }
        registration[Int(fd)] = 0
        curlWatches[Int(fd)] = false
    }

    private func watch(_ fd: curl_socket_t, what: Int32) {
        guard fd >= 0 else { return }
        let index = Int(fd)
        if index >= registration.count {
            var size = max(64, registration.count)
            while size <= index { size *= 2 }
            registration.append(contentsOf: repeatElement(0, count: size - registration.count))
            curlWatches.append(contentsOf: repeatElement(false, count: size - curlWatches.count))
        }
        if what == CURL_POLL_REMOVE {
            // Left in the set (see the type's comment); `wait()` drops events for it meanwhile.
            curlWatches[index] = false
            return
        }
        curlWatches[index] = true
        let events = (what & CURL_POLL_IN != 0 ? EPOLLIN.rawValue : 0) | (what & CURL_POLL_OUT != 0 ? EPOLLOUT.rawValue : 0)
        let wanted = events | Self.inSet
        let current = registration[index]
        guard current != wanted else { return }
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        if current != 0 {
            // ENOENT: the kernel dropped it behind our back (closed elsewhere); add it afresh.
            if epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event) != 0, errno == ENOENT {
                _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
            }
        } else {
            // EEXIST: already in the set under a registration we lost track of; update it.
            if epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) != 0, errno == EEXIST {
                _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
            }
        }
        registration[index] = wanted
    }
}

#else

/// Where the driver thread sleeps without epoll: `curl_multi_poll` over every transfer's sockets,
/// woken by `curl_multi_wakeup`. Simpler and slower at high concurrency; the Linux build uses epoll.
final class CurlWaiter {
    private let multi: UnsafeMutableRawPointer
    private let logger: Logger
    private let backstopMilliseconds: Int32
    private var runningHandles: Int32 = 0
    private var reportedFailure = false

    init?(multi: UnsafeMutableRawPointer, backstop: Duration, logger: Logger) {
        self.multi = multi
        self.logger = logger
        self.backstopMilliseconds = Int32(clamping: max(1, backstop.curlMilliseconds))
    }

    func install() {}

    func closeDescriptors() {}

    /// No epoll set to keep in step with closes here.
    var closeSocketContext: UnsafeMutableRawPointer? { nil }

    /// Thread-safe per libcurl's documentation.
    func wake() {
        _ = curl_multi_wakeup(multi)
    }

    func wait(blocking: Bool = true) -> Bool {
        let code = curl_multi_poll(multi, nil, 0, blocking ? backstopMilliseconds : 0, nil)
        if code != CURLM_OK {
            if !reportedFailure {
                reportedFailure = true
                logger.error("curl_multi_poll failed", metadata: ["code": "\(code.rawValue)"])
            }
            usleep(10_000)
        }
        // curl_multi_poll does not say why it returned; the driver checks the inbox every time.
        return true
    }

    func runDueTimer() {
        _ = curl_multi_perform(multi, &runningHandles)
    }
}

#endif
