import RTRL
import Testing
@testable import RTRLStream

private func configured(_ json: String, relativeTo dir: String = "") throws(StreamError) -> StreamConfiguration {
    var c = StreamConfiguration()
    try c.apply(jsonBytes: Array(json.utf8), relativeTo: dir)
    return c
}

@Suite struct ConfigurationTests {
    @Test func defaults() throws {
        let c = StreamConfiguration()
        #expect(c.inputPattern == .sub && c.outputPattern == .pub)
        #expect(c.training.optimizer == .sgd && c.training.learningRate == 0.01)
        #expect(c.maxMessageSize == 1 << 20)
        try c.validate()
        #expect(try EndpointList(c.inputEndpoint, defaultBind: false).endpoints == [Endpoint(address: "tcp://127.0.0.1:5555", bind: false)])
        #expect(try EndpointList(c.outputEndpoint, defaultBind: true).endpoints == [Endpoint(address: "tcp://127.0.0.1:5556", bind: true)])
    }

    @Test func everyKeyApplies() throws {
        let c = try configured("""
        {"in": "@tcp://127.0.0.1:7000", "in_pattern": "pull", "out": ">ipc:///tmp/x", "out-pattern": "push",
         "preset": "jordan", "inputs": 3, "hidden": 5, "outputs": 2, "mu": 0.25, "seed": 18446744073709551615,
         "precision": "f32", "hidden-activation": "relu", "output-activation": "logistic",
         "optimizer": "adam", "learning-rate": 0.001, "momentum": 0.5, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6,
         "clip-norm": 2.5, "loss": "mse", "teacher-forcing": true, "update-every": 4, "divergence-guard": false,
         "forecast": true, "max-streams": 3, "checkpoint-dir": "ck", "checkpoint-every": 1.5, "stats-every": 0,
         "max-message-size": 4096, "hwm": 10, "linger": 0,
         "curve-secret-key": "/k/s", "curve-allow": "allow", "curve-server-key": null}
        """, relativeTo: "/etc/rtrl/")
        #expect(c.inputEndpoint == "@tcp://127.0.0.1:7000" && c.inputPattern == .pull)
        #expect(c.outputEndpoint == ">ipc:///tmp/x" && c.outputPattern == .push)
        #expect(c.preset == .jordan && c.inputs == 3 && c.hidden == 5 && c.outputs == 2 && c.mu == 0.25)
        #expect(c.seed == UInt64.max && c.precision == .f32)
        #expect(c.hiddenActivation == .relu && c.outputActivation == .logistic)
        let t = c.training
        #expect(t.optimizer == .adam && t.learningRate == 0.001 && t.momentum == 0.5 && t.beta1 == 0.8 && t.beta2 == 0.99)
        #expect(t.epsilon == 1e-6 && t.clipNorm == 2.5 && t.teacherForcing && t.updateEvery == 4 && !t.divergenceGuard)
        #expect(c.forecast && c.maxStreams == 3 && c.checkpointEvery == 1.5 && c.statsEvery == 0)
        #expect(c.checkpointDirectory == "/etc/rtrl/ck")
        #expect(c.curveSecretKeyFile == "/k/s" && c.curveAllowDirectory == "/etc/rtrl/allow" && c.curveServerKeyFile == nil)
        #expect(c.maxMessageSize == 4096 && c.highWaterMark == 10 && c.lingerMilliseconds == 0)
        try c.validate()
        let net = try c.makeTemplate()
        #expect(net.precision == .f32 && net.numInputs == 3 && net.numOutputs == 2)
        #expect(net.configuration.optimizer == .adam && net.configuration.updateEvery == 4)
    }

    @Test func topicAcceptsAStringOrAnArray() throws {
        #expect(try configured(#"{"topic": "a"}"#).topics == ["a"])
        #expect(try configured(#"{"topic": ["a", "b"]}"#).topics == ["a", "b"])
    }

    @Test(arguments: [
        #"{"nope": 1}"#, #"{"inputs": "3"}"#, #"{"inputs": 1.5}"#, #"{"seed": -1}"#, #"{"preset": "lstm"}"#,
        #"{"learning-rate": "fast"}"#, #"{"forecast": 1}"#, #"{"topic": [1]}"#, #"{"mu": 1e999}"#, "[]", "{",
        #"{"checkpoint-dir": ""}"#, #"{"optimizer": "SGD"}"#,
    ])
    func badFilesAreRejected(_ json: String) {
        #expect(throws: StreamError.self) { try configured(json) }
    }

    @Test func aFailedApplyChangesNothing() {
        var c = StreamConfiguration()
        #expect(throws: StreamError.self) { try c.apply(jsonBytes: Array(#"{"inputs": 4, "bad": 1}"#.utf8)) }
        #expect(c.inputs == 1)
    }

    @Test func validationNamesTheProblem() {
        func message(_ edit: (inout StreamConfiguration) -> Void) -> String {
            var c = StreamConfiguration()
            edit(&c)
            do {
                try c.validate()
                return ""
            } catch {
                return error.message
            }
        }
        #expect(message { $0.forecast = true; $0.inputs = 1; $0.outputs = 2 }.contains("forecast"))
        #expect(message { $0.inputPattern = .pull; $0.topics = ["a"] }.contains("SUB"))
        #expect(message { $0.curveAllowDirectory = "/tmp" }.contains("curve-secret-key"))
        #expect(message { $0.maxStreams = 0 }.contains("max-streams"))
        #expect(message { $0.maxMessageSize = 10 }.contains("max-message-size"))
        #expect(message { $0.statsEvery = -1 }.contains("stats-every"))
        #expect(message { $0.training.learningRate = -1 }.contains("learning_rate"))
        #expect(message { $0.preset = .fullyRecurrent; $0.outputActivation = .tanh }.contains("hidden-activation"))
        #expect(message { $0.inputEndpoint = "udp://x" }.contains("tcp://"))
        #expect(message { $0.hidden = 0 }.contains("hidden"))
        #expect(message { $0.topics = [String(repeating: "t", count: 256)] }.contains("255"))
        #expect(message { _ in } == "")
    }

    @Test func endpointsFollowCzmq() throws {
        #expect(try Endpoint("@tcp://127.0.0.1:1", defaultBind: false) == Endpoint(address: "tcp://127.0.0.1:1", bind: true))
        #expect(try Endpoint(">ipc:///tmp/a", defaultBind: true) == Endpoint(address: "ipc:///tmp/a", bind: false))
        #expect(try Endpoint("inproc://q", defaultBind: true).bind)
        let list = try EndpointList("@tcp://127.0.0.1:1, >tcp://127.0.0.1:2", defaultBind: true)
        #expect(list.endpoints.map(\.description) == ["@tcp://127.0.0.1:1", ">tcp://127.0.0.1:2"])
        for bad in ["", "@", "tcp://", "127.0.0.1:5555", "@udp://x", "tcp://a,"] {
            #expect(throws: StreamError.self) { try EndpointList(bad, defaultBind: true) }
        }
    }

    @Test func templateIsTheSeededPreset() throws {
        var c = StreamConfiguration()
        c.preset = .fullyRecurrent
        c.inputs = 2; c.hidden = 4; c.outputs = 2; c.seed = 11
        c.training.learningRate = 0.05
        let a = try c.makeTemplate()
        let b = try Network.fullyRecurrent(inputs: 2, units: 4, outputs: 2, seed: 11)
        #expect(a.parameters() == b.parameters())
        #expect(a.configuration.learningRate == 0.05)
    }
}
