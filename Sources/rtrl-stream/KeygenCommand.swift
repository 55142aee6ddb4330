import ArgumentParser
import RTRLStream

/// `rtrl-stream keygen NAME`: writes a CURVE key pair.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a new CURVE key pair: NAME (public certificate) and NAME_secret (secret, mode 0600).",
        discussion: """
        The files use czmq's certificate format. Give NAME_secret to --curve-secret-key of the \
        program that owns the key; give NAME (public) to its peers: as --curve-server-key of a \
        client, or put it in the --curve-allow directory of a server. Existing files are not overwritten.
        """
    )

    @Argument(help: ArgumentHelp("The public key file to write; the secret one is NAME_secret.", valueName: "name"))
    var name: String

    func run() throws {
        do {
            let pair = try CurveKeyPair.writeNewPair(to: name)
            print("public key \(pair.publicKey) written to \(name); secret key written to \(name)_secret")
        } catch {
            throw ValidationError(error.message)
        }
    }
}
