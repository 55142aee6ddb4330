import CZeroMQ

/// The adapter's sockets: input, output, and the optional ZAP handler; plus the monitor
/// of the input's connections.
struct _AdapterSockets {
    let input: _ZMQSocket
    let output: _ZMQSocket
    let zap: _ZAPHandler?
    let monitor: _ConnectionMonitor
    let inputEndpoints: [Endpoint]
    let outputEndpoints: [Endpoint]

    /// Creates the ZAP handler (with an allow list), the input and the output sockets,
    /// sets their options and attaches their endpoints.
    init(_ c: StreamConfiguration, context: _ZMQContext, log: _Log) throws(StreamError) {
        var ownKeys: CurveKeyPair?
        if let f = c.curveSecretKeyFile { ownKeys = try CurveKeyPair.read(f, needSecret: true) }
        var serverKey: CurveKeyPair?
        if let f = c.curveServerKeyFile { serverKey = try CurveKeyPair.read(f, needSecret: false) }
        if let dir = c.curveAllowDirectory {
            let keys = try CurveKeyPair.publicKeys(inDirectory: dir)
            if keys.isEmpty { log.write("warning: \(dir) holds no public keys; every CURVE client will be refused") }
            zap = try _ZAPHandler(context, allowed: keys)
        } else {
            zap = nil
        }
        if ownKeys != nil && c.curveAllowDirectory == nil {
            log.write("warning: CURVE without curve-allow: any client with a CURVE key pair may connect (traffic is encrypted, clients are not authenticated)")
        }

        let inList = try EndpointList(c.inputEndpoint, defaultBind: c.inputPattern == .pull)
        let outList = try EndpointList(c.outputEndpoint, defaultBind: true)

        let inType = c.inputPattern == .sub ? ZMQ_SUB : ZMQ_PULL
        let inSocket = try _ZMQSocket(context, type: inType, role: "input \(c.inputPattern.rawValue.uppercased()) socket")
        try inSocket.set(ZMQ_MAXMSGSIZE, Int64(c.maxMessageSize), "ZMQ_MAXMSGSIZE")
        try inSocket.set(ZMQ_RCVHWM, Int32(c.highWaterMark), "ZMQ_RCVHWM")
        try inSocket.set(ZMQ_LINGER, Int32(0), "ZMQ_LINGER")
        try Self.secure(inSocket, inList, ownKeys: ownKeys, serverKey: serverKey)
        if c.inputPattern == .sub {
            for prefix in c.subscriptions {
                try inSocket.set(ZMQ_SUBSCRIBE, bytes: Array(prefix.utf8), "ZMQ_SUBSCRIBE \(_JSONWriter.quoted(prefix))")
            }
        }

        let outType = c.outputPattern == .pub ? ZMQ_PUB : ZMQ_PUSH
        let outSocket = try _ZMQSocket(context, type: outType, role: "output \(c.outputPattern.rawValue.uppercased()) socket")
        try outSocket.set(ZMQ_MAXMSGSIZE, Int64(c.maxMessageSize), "ZMQ_MAXMSGSIZE")
        try outSocket.set(ZMQ_SNDHWM, Int32(c.highWaterMark), "ZMQ_SNDHWM")
        try outSocket.set(ZMQ_LINGER, Int32(c.lingerMilliseconds), "ZMQ_LINGER")
        try Self.secure(outSocket, outList, ownKeys: ownKeys, serverKey: serverKey)

        input = inSocket
        output = outSocket
        monitor = try _ConnectionMonitor(context, watching: inSocket)
        inputEndpoints = try inList.endpoints.map { (e) throws(StreamError) in try inSocket.attach(e) }
        outputEndpoints = try outList.endpoints.map { (e) throws(StreamError) in try outSocket.attach(e) }
    }

    /// Makes a socket a CURVE server (it binds and a secret key is given) or a CURVE
    /// client (it connects and a server key is given); leaves it plain otherwise.
    static func secure(_ s: _ZMQSocket, _ list: EndpointList, ownKeys: CurveKeyPair?, serverKey: CurveKeyPair?) throws(StreamError) {
        let binds = list.endpoints.contains { $0.bind }
        let connects = list.endpoints.contains { !$0.bind }
        let asServer = binds && ownKeys != nil
        let asClient = connects && serverKey != nil
        if asServer && asClient {
            throw .invalid("\(s.role): a socket cannot be a CURVE server for the endpoints it binds and a CURVE client for those it connects; give it endpoints of one direction")
        }
        if asServer, let keys = ownKeys {
            try s.set(ZMQ_CURVE_SERVER, Int32(1), "ZMQ_CURVE_SERVER")
            try s.set(ZMQ_CURVE_SECRETKEY, bytes: CurveKeyPair.decode(keys.secretKey!)!, "ZMQ_CURVE_SECRETKEY")
            try s.set(ZMQ_ZAP_DOMAIN, bytes: Array("rtrl-stream".utf8), "ZMQ_ZAP_DOMAIN")
        } else if asClient, let server = serverKey {
            let keys: CurveKeyPair
            if let own = ownKeys { keys = own } else { keys = try CurveKeyPair.generate() }
            try s.set(ZMQ_CURVE_SERVERKEY, bytes: CurveKeyPair.decode(server.publicKey)!, "ZMQ_CURVE_SERVERKEY")
            try s.set(ZMQ_CURVE_PUBLICKEY, bytes: CurveKeyPair.decode(keys.publicKey)!, "ZMQ_CURVE_PUBLICKEY")
            try s.set(ZMQ_CURVE_SECRETKEY, bytes: CurveKeyPair.decode(keys.secretKey!)!, "ZMQ_CURVE_SECRETKEY")
        }
    }
}
