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
    // MARK: - The engine: models, data, finite differences, experiments
    .target(name: "GradVerify"),
    // MARK: - The thin command-line front end
    .executableTarget(name: "GradVerifyCommand", dependencies: ["GradVerify"]),
    // MARK: - Unit test bundles
    .testTarget(name: "GradVerifyTests", dependencies: ["GradVerify"]),
  ],
  swiftLanguageModes: [.v6]
)
