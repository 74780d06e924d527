import ArgumentParser
import VMTuneFrontend
import VMTuneKernel
import VMTuneProfile

struct ProfilesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "profiles",
    abstract: "List the profiles vmtune can find by name.",
    discussion: """
      Names are looked up in order: --profile-dir, DIR/etc/vmtune/profiles (your
      site's profiles), then the shipped profiles (/usr/share/vmtune/profiles). The
      first file of a name is the one used; a later one of the same name is listed
      as shadowed by it, so a site copy of kvm-host.yaml in /etc/vmtune/profiles
      shows which shipped file it replaces. A file under ./profiles is used only
      when named as a path (vmtune plan profiles/kvm-host.yaml).
      """)

  @OptionGroup var host: HostOptions

  func run() throws {
    let frontend = try host.frontend()
    let loader = frontend.loader
    let files = frontend.profileFiles()
    if files.isEmpty {
      print("No profiles found in \(frontend.searchPath.joined(separator: ", ")).")
      return
    }
    let width = files.map(\.name.count).max() ?? 8
    for file in files {
      let description: String
      do {
        description = try loader.load(path: file.path).description
      } catch {
        description = "INVALID: \(error.errors.first.map(ErrorText.render) ?? "")"
      }
      let shadows = file.shadowed.isEmpty ? "" : " (shadows \(file.shadowed.joined(separator: ", ")))"
      print("\(pad(file.name, width))  \(description.split(separator: "\n").first.map(String.init) ?? "")")
      print("\(pad("", width))  \(file.path)\(shadows)")
    }
  }
}
