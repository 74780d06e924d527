import ArgumentParser
import VMTuneFrontend
import VMTunePlan

struct RecommendCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "recommend",
    abstract: "Name the shipped profile that fits this host, and why (read-only).",
    discussion: """
      Looks at what runs here and how the host is built, most specific role first:
      /dev/kvm with qemu or libvirtd running → kvm-host; postgres, mysqld or
      mariadbd → database; nfsd or smbd → file-server; 2 or more NUMA nodes →
      numa-hpc; reclaimable slab at 20% of RAM or more → slab-heavy; nohz_full= or
      isolcpus= on the kernel command line → latency; otherwise base. Other roles
      the host also shows are listed. Nothing is written.

        vmtune recommend
        vmtune recommend --format json
        vmtune plan "$(vmtune recommend --format json | jq -r .profile)"
      """)

  @OptionGroup var host: HostOptions

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  func run() throws {
    let recommendation = Recommender.recommend(try host.frontend().readRoleFacts())
    if format == .json {
      print(try JSONFile.string(recommendation))
      return
    }
    print("Recommended: \(recommendation.profile)")
    for reason in recommendation.reasons { print("  - \(reason)") }
    for other in recommendation.alsoFits {
      print("Also fits: \(other.profile) (\(other.reasons.joined(separator: "; ")))")
    }
    let root = host.root == "/" ? "" : " --root \(host.root)"
    print("Next: vmtune plan \(recommendation.profile)\(root)")
  }
}
