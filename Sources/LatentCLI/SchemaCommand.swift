import ArgumentParser
import LatentSpec

/// `latent schema`: the JSON Schema of the spec language, for editors.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of the spec language (as in Grammar/latent.schema.json).",
        discussion: """
            Point yaml-language-server at it for completion and checking in editors: \
            add '# yaml-language-server: $schema=../Grammar/latent.schema.json' to the top of a spec.
            """)

    func run() {
        print(JSONSchemaWriter.write(), terminator: "")
    }
}
