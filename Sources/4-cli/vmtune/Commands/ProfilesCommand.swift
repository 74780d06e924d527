import ArgumentParser
import VMTuneFrontend
import VMTuneKernel
import VMTuneProfile

struct ProfilesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "profiles",
    abstract: "List the profiles vmtune can find by name.",
    discussion: "Searched in order: --profile-dir, ./profiles, DIR/etc/vmtune/profiles, the shipped profiles.")

  @OptionGroup var host: HostOptions

  func run() throws {
    var seen: Set<String> = []
    let frontend = try host.frontend()
    let loader = frontend.loader
    var rows: [(String, String, String)] = []
    for dir in frontend.searchPath {
      for file in HostFiles.plain.list(dir) where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
        let name = ProfilePath.stem(file)
        guard seen.insert(name).inserted else { continue }
        let path = ProfilePath.join(dir, file)
        let description: String
        do {
          description = try loader.load(path: path).description
        } catch {
          description = "INVALID: \(error.errors.first.map(ErrorText.render) ?? "")"
        }
        rows.append((name, path, description))
      }
    }
    if rows.isEmpty {
      print("No profiles found in \(frontend.searchPath.joined(separator: ", ")).")
      return
    }
    let width = rows.map(\.0.count).max() ?? 8
    for (name, path, description) in rows {
      print("\(pad(name, width))  \(description.split(separator: "\n").first.map(String.init) ?? "")")
      print("\(pad("", width))  \(path)")
    }
  }
}
