import Foundation
import Testing
import VMTuneTestSupport

/// Shell completions: the generated scripts call `vmtune ---completion SUBCOMMAND -- ARGUMENT
/// WORD-INDEX CURSOR WORDS…` for profile names and knob names; paths are the shell's own.
@Suite struct CompletionCLITests {
  /// What vmtune offers for the last of `words` (the word being completed, cursor at its end).
  func complete(_ subcommand: String, _ argument: String, _ words: [String], cwd: String? = nil) throws -> [String] {
    let last = words.last ?? ""
    let r = try runVMTune(
      ["---completion", subcommand, "--", argument, String(words.count - 1), String(last.count)] + words, cwd: cwd)
    #expect(r.status == 0, "\(r.stderr)")
    return r.stdout.split(separator: "\n").map(String.init)
  }

  @Test func profileNamesComeFromTheSearchPath() throws {
    let host = try FixtureHost()
    #expect(try complete("plan", "positional@0", ["vmtune", "plan", "kv"]) == ["kvm-host"])
    let all = try complete("check", "positional@0", ["vmtune", "check", ""])
    for name in ["base", "database", "file-server", "kvm-host", "latency", "numa-hpc", "slab-heavy"] {
      #expect(all.contains(name), "\(all)")
    }
    try host.write("etc/vmtune/profiles/site-db.yaml", "apiVersion: vmtune/v1\nname: site-db\n")
    try host.write("extra/team.yaml", "apiVersion: vmtune/v1\nname: team\n")
    #expect(try complete("apply", "positional@0", ["vmtune", "apply", "--root", host.root, "si"]) == ["site-db"])
    #expect(try complete("apply", "positional@0", ["vmtune", "apply", "--root=\(host.root)", "si"]) == ["site-db"])
    #expect(
      try complete("validate", "positional@0", ["vmtune", "validate", "--profile-dir", host.root + "/extra", "te"])
        == ["team"])
    #expect(try complete("agent", "positional@0", ["vmtune", "agent", "si"]).isEmpty)
    #expect(try complete("diagnose", "--profile", ["vmtune", "diagnose", "--profile", "lat"]) == ["latency"])
    #expect(try complete("explain", "--profile", ["vmtune", "explain", "compact", "--profile", "kvm"]) == ["kvm-host"])
  }

  @Test func profilePathsWhenTheWordIsAPath() throws {
    let host = try FixtureHost()
    try host.write("cwd/profiles/mine.yaml", "apiVersion: vmtune/v1\nname: mine\n")
    try host.write("cwd/profiles/notes.txt", "not a profile\n")
    try host.write("cwd/kvm-local.yml", "apiVersion: vmtune/v1\nname: kvm-local\n")
    let cwd = host.root + "/cwd"
    #expect(try complete("plan", "positional@0", ["vmtune", "plan", "pro"], cwd: cwd) == ["profiles/"])
    #expect(try complete("plan", "positional@0", ["vmtune", "plan", "profiles/"], cwd: cwd) == ["profiles/mine.yaml"])
    #expect(
      try complete("plan", "positional@0", ["vmtune", "plan", "./profiles/m"], cwd: cwd) == ["./profiles/mine.yaml"])
    // A name that matches wins over files of the working directory.
    #expect(try complete("plan", "positional@0", ["vmtune", "plan", "kvm"], cwd: cwd) == ["kvm-host"])
    #expect(
      try complete("plan", "positional@0", ["vmtune", "plan", host.root + "/cwd/k"], cwd: cwd)
        == [host.root + "/cwd/kvm-local.yml"])
  }

  @Test func knobNamesForExplain() throws {
    let min = try complete("explain", "positional@0", ["vmtune", "explain", "min_"])
    #expect(min == ["min_free_kbytes", "min_slab_ratio", "min_unmapped_ratio"], "\(min)")
    #expect(try complete("explain", "positional@0", ["vmtune", "explain", "vm.swapp"]) == ["vm.swappiness"])
    #expect(try complete("explain", "positional@0", ["vmtune", "explain", ""]).count > 30)
  }

  /// The generated bash script, sourced in bash, offers what vmtune computes.
  @Test func bashScriptCompletesProfilesAndKnobs() throws {
    let script = try runVMTune(["--generate-completion-script", "bash"])
    #expect(script.status == 0, "\(script.stderr)")
    let dir = NSTemporaryDirectory() + "vmtune-completion-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try script.stdout.write(toFile: dir + "/vmtune", atomically: true, encoding: .utf8)
    let r = try runProgram(
      "/bin/bash", [repositoryRoot() + "/Tests/completion/bash-complete.sh", dir + "/vmtune", vmtuneBinary()],
      environment: ["PATH": "/usr/bin:/bin", "HOME": dir])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("ok plan kv: kvm-host"), "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("ok explain min_: min_free_kbytes min_slab_ratio min_unmapped_ratio"), "\(r.stdout)")
  }

  /// The generated zsh script, loaded by a real interactive zsh (compinit) on a pseudo-terminal:
  /// TAB completes subcommands, options, and the profile and knob names vmtune computes.
  @Test(Prerequisite.executable("/usr/bin/zsh", package: "zsh").trait)
  func zshScriptCompletesInARealZsh() throws {
    guard Prerequisite.executable("/usr/bin/zsh", package: "zsh").check() else { return }
    try completeInRealShell("zsh", file: "_vmtune")
  }

  /// The same with the generated fish script in a real interactive fish.
  @Test(Prerequisite.executable("/usr/bin/fish", package: "fish").trait)
  func fishScriptCompletesInARealFish() throws {
    guard Prerequisite.executable("/usr/bin/fish", package: "fish").check() else { return }
    try completeInRealShell("fish", file: "vmtune.fish")
  }

  func completeInRealShell(_ shell: String, file name: String) throws {
    let script = try runVMTune(["--generate-completion-script", shell])
    #expect(script.status == 0, "\(script.stderr)")
    let dir = NSTemporaryDirectory() + "vmtune-completion-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try script.stdout.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
    let r = try runProgram(
      "/usr/bin/env",
      ["python3", repositoryRoot() + "/Tests/completion/shell-complete.py", shell, dir + "/" + name, vmtuneBinary()])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("ok \(shell) 'vmtune plan kv': kvm-host"), "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("ok \(shell) 'vmtune explain min_': min_free_kbytes, min_slab_ratio"), "\(r.stdout)")
  }
}
