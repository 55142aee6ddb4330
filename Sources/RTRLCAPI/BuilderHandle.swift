import RTRL

/// What an `rtrl_builder *` points to: a box around the value-type `NetworkBuilder`.
final class _BuilderHandle {
    var builder: NetworkBuilder

    init(_ builder: NetworkBuilder) {
        self.builder = builder
    }

    /// A handle owned by the caller (one retain, released by `rtrl_builder_free`).
    static func publish(_ builder: NetworkBuilder) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(_BuilderHandle(builder)).toOpaque())
    }

    /// The object behind a caller's handle.
    static func from(_ p: OpaquePointer?, _ op: StaticString) throws -> _BuilderHandle {
        guard let p else { throw _Failure.invalid("\(op): builder is NULL") }
        return Unmanaged<_BuilderHandle>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    /// Releases a caller's handle (NULL: nothing).
    static func release(_ p: OpaquePointer?) {
        guard let p else { return }
        Unmanaged<_BuilderHandle>.fromOpaque(UnsafeRawPointer(p)).release()
    }
}
