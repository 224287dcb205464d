import Foundation
import GradVerify
import Testing

/// A sweep's identity (Experiments/SweepRequest.swift): built from the settings, read back by a merge.
@Suite struct SweepRequestTests {
  static let iris = CommandRun.packageRoot.appendingPathComponent("Experiments/data/iris.csv").path

  @Test("the identity reads back to the same request, for the built-in defaults and for every optional setting")
  func roundTrip() throws {
    var settings = SweepSettings()
    settings.samplers = [.withReplacement, .poissonRealized]
    settings.draws = 1234
    settings.alpha = 0.003
    let plain = SweepRequest(input: ModelInput(model: ModelChoice(kind: .softmax), dataPath: Self.iris), settings: settings, seed: 9)
    settings.batchSizes = [1, 7, 150]
    let full = SweepRequest(
      input: ModelInput(model: ModelChoice(kind: .mlp, hidden: 5, l2: 0.25), dataPath: Self.iris, standardize: true, paramsPath: "θ file.txt"),
      settings: settings, seed: UInt64.max)
    var layout = CSVLayout()
    layout.delimiter = UInt8(ascii: "\t")
    layout.target = CSVLayout.Column("species")
    layout.drop = [CSVLayout.Column("1"), CSVLayout.Column("id")]
    var auto = settings
    auto.squaredErrorDrawsByPower = true
    auto.draws = SweepSettings().draws
    let laidOut = SweepRequest(
      input: ModelInput(model: ModelChoice(kind: .logistic, l2: 1e-3), dataPath: Self.iris, layout: layout), settings: auto, seed: 0)
    let sketched = SweepRequest(
      source: .gradients(path: Self.iris), settings: settings, seed: 3, projection: SketchProjection(dimension: 64, kind: .rademacher))
    for request in [plain, full, laidOut, sketched] {
      let identity = try request.identity(withDataHash: true)
      #expect(try SweepRequest(identity: identity, source: "t") == request, "\(identity)")
    }
    let line = try #require(try full.identity(withDataHash: false).last)
    #expect(line.hasPrefix("{") && line.contains(#""params":"θ file.txt""#), "\(line)")
  }

  @Test("a signature whose request the flags would refuse, or that is no request, is refused naming the part")
  func refusedSignature() throws {
    var settings = SweepSettings()
    settings.alpha = 0.003
    let request = SweepRequest(input: ModelInput(model: ModelChoice(kind: .linear), dataPath: "d.csv"), settings: settings, seed: 1)
    var identity = try request.identity(withDataHash: false) + ["data-sha256 0"]
    let k = try #require(identity.firstIndex(of: "sweep")) + 1
    #expect(identity[k].contains(#""alpha":0.003"#), "\(identity[k])")
    for (line, words) in [
      (identity[k].replacingOccurrences(of: #""alpha":0.003"#, with: #""alpha":2"#), "--alpha must lie in (0, 1)"),
      (identity[k].replacingOccurrences(of: #""model":"linear""#, with: #""model":"lasso""#), "'lasso' is not a model"),
      (identity[k].replacingOccurrences(of: #""seed":1"#, with: #""seed":1,"zeal":1"#), "is not a sweep's request"),
      ("--model linear", "is not a sweep's request"),
    ] {
      identity[k] = line
      do {
        _ = try SweepRequest(identity: identity, source: "p.part")
        Issue.record("accepted \(line)")
      } catch {
        #expect(error.message.contains("p.part") && error.message.contains(words), "\(error.message)")
      }
    }
  }

  @Test("--full-gradient with --shard is refused by name: a merge does not run the framework check")
  func fullGradientIsNotSharded() throws {
    var options = SweepOptions()
    options.gradientsPath = "G.npy"
    options.fullGradientPath = "g.npy"
    options.out = "p"
    options.shard = try Shard.parse("0/2", flag: "sweep: --shard")
    do {
      _ = try options.job()
      Issue.record("a sharded sweep with --full-gradient was accepted")
    } catch {
      #expect(error.message.contains("--full-gradient") && error.message.contains("--shard"), "\(error.message)")
    }
  }

  @Test("shards made with --draws=600 and --draws 600 are one sweep: the identity does not keep argv's spelling")
  func spellingDoesNotMatter() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let base = ["sweep", "--model", "softmax", "--data", Self.iris, "--sampler", "with"]
    let a = try CommandRun(base + ["--draws=600", "--shard", "0/2", "--out", "p0"], in: folder)
    let b = try CommandRun(base + ["--draws", "600", "--shard=1/2", "--out", "p1"], in: folder)
    #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
    let merge = try CommandRun(["merge", "p0", "p1", "--out", "m.csv"], in: folder)
    #expect(merge.status == 0, "\(merge.stderr)")
    let single = try CommandRun(base + ["--draws", "600", "--out", "s.csv"], in: folder)
    #expect(try Data(contentsOf: folder.appendingPathComponent("m.csv")) == Data(contentsOf: folder.appendingPathComponent("s.csv")))
    #expect(single.stdout == merge.stdout)
  }
}
