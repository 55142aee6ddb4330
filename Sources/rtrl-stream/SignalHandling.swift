#if canImport(Glibc)
import Glibc
#endif
import RTRLStream

/// SIGINT and SIGTERM call ``StreamAdapter/stop()`` (or ``StreamProxy/stop()``; both
/// async-signal-safe) on the running adapter (or proxy).
enum SignalHandling {
    /// The adapter or proxy the handler stops; set before the handler is installed,
    /// cleared after it is removed, never changed while a signal can arrive.
    nonisolated(unsafe) static var adapter: StreamAdapter?
    nonisolated(unsafe) static var proxy: StreamProxy?

    static func install(_ a: StreamAdapter) {
        adapter = a
        installHandlers()
    }

    static func install(_ p: StreamProxy) {
        proxy = p
        installHandlers()
    }

    private static func installHandlers() {
        for s in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                SignalHandling.adapter?.stop()
                SignalHandling.proxy?.stop()
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(s, &action, nil)
        }
        signal(SIGPIPE, SIG_IGN)
    }

    static func uninstall() {
        for s in [SIGINT, SIGTERM] { signal(s, SIG_DFL) }
        adapter = nil
        proxy = nil
    }
}
