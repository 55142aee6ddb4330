/// A layer of a network: n units sharing one activation function, with an optional
/// trainable bias.
public struct LayerSpec: Equatable, Sendable {
    public var name: String
    public var size: Int
    public var activation: Activation
    public var bias: Bool

    public init(name: String, size: Int, activation: Activation, bias: Bool) {
        self.name = name
        self.size = size
        self.activation = activation
        self.bias = bias
    }
}

/// A connection from a layer (or the `input` pseudo-layer) to a layer, read with a delay
/// of 0 or 1 steps: z_to(t) += W a_from(t - delay).
public struct ConnectionSpec: Equatable, Sendable {
    public var from: String
    public var to: String
    public var delay: Int
    public var kind: ConnectionKind
    public var trainable: Bool
    /// For `identity`: the constant copied with. For `dense`: the initialisation range
    /// factor. For `diagonal`: the initial value of every entry.
    public var scale: Double

    public init(from: String, to: String, delay: Int, kind: ConnectionKind, trainable: Bool, scale: Double) {
        self.from = from
        self.to = to
        self.delay = delay
        self.kind = kind
        self.trainable = trainable
        self.scale = scale
    }
}

/// A named block of weights: a connection's matrix or vector, or a layer's bias.
///
/// A dense block is a row-major matrix of shape (rows, cols) = (n_to, n_from); a diagonal
/// block and a bias have shape (n, 1).
public struct BlockInfo: Equatable, Sendable {
    /// `FROM->TO`, `FROM->TO#2`, ... for connections; `LAYER.bias` for biases.
    public var name: String
    public var rows: Int
    public var cols: Int
    /// Whether the block is part of the flat parameter vector.
    public var trainable: Bool
    /// Offset of the block in the flat parameter vector (`nil` for fixed blocks).
    public var offset: Int?

    public init(name: String, rows: Int, cols: Int, trainable: Bool, offset: Int?) {
        self.name = name
        self.rows = rows
        self.cols = cols
        self.trainable = trainable
        self.offset = offset
    }

    /// rows x cols.
    public var count: Int { rows * cols }
}

/// The pseudo-layer name for x(t).
public let inputLayerName = "input"
