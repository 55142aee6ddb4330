#if canImport(Glibc)
import Glibc
#endif
import RTRLStream

/// SIGINT and SIGTERM call ``StreamAdapter/stop()`` (async-signal-safe) on the running adapter.
enum SignalHandling {
    /// The adapter the handler stops; set before the handler is installed, cleared after
    /// it is removed, never changed while a signal can arrive.
    nonisolated(unsafe) static var adapter: StreamAdapter?

    static func install(_ a: StreamAdapter) {
        adapter = a
        for s in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in SignalHandling.adapter?.stop() }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(s, &action, nil)
        }
        signal(SIGPIPE, SIG_IGN)
    }

    static func uninstall() {
        for s in [SIGINT, SIGTERM] { signal(s, SIG_DFL) }
        adapter = nil
    }
}
