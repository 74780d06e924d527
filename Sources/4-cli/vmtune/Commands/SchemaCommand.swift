import ArgumentParser
import VMTuneFrontend
import VMTuneProfile

struct SchemaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    abstract: "Print the JSON Schema of profile files (for editors: yaml-language-server).",
    discussion: "Generated from the knob catalog; schema/profile.schema.json is this output.")

  func run() throws {
    print(try JSONFile.string(ProfileSchema.document()))
  }
}
