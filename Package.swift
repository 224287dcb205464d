// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "gradverify",
  // Synchronization's Atomic needs macOS 15 on Apple platforms; Linux has no minimum here.
  platforms: [.macOS(.v15)],
  products: [
    // MARK: - Public API
    .library(name: "GradVerify", targets: ["GradVerify"]),
    .executable(name: "gradverify", targets: ["GradVerifyCommand"]),
  ],
  targets: [
    // MARK: - The library: models, data, numerics, random streams, sampling, statistics, checks and the Monte
    // Carlo engine, then the harness (claims, specs, tables, figures, reports), folders by layer in one module
    // so that the generic model code is specialised across them. Its public API is what a project of your own
    // uses; what the command line and the tests need besides is `package`.
    .target(name: "GradVerify"),
    // MARK: - The thin command-line front end
    .executableTarget(name: "GradVerifyCommand", dependencies: ["GradVerify"]),
    // MARK: - Unit test bundles
    // (they also run the `gradverify` binary, so they depend on it)
    .testTarget(name: "GradVerifyTests", dependencies: ["GradVerify", "GradVerifyCommand"]),
  ],
  swiftLanguageModes: [.v6]
)
