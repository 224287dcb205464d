// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "gradverify",
  products: [
    // MARK: - Public API
    .library(name: "GradVerify", targets: ["GradVerify"]),
    .executable(name: "gradverify", targets: ["GradVerifyCommand"]),
  ],
  targets: [
    // MARK: - The engine: models, data, finite differences, experiments
    .target(
      name: "GradVerify",
      swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]
    ),
    // MARK: - The thin command-line front end
    .executableTarget(name: "GradVerifyCommand", dependencies: ["GradVerify"]),
    // MARK: - Unit test bundles
    .testTarget(name: "GradVerifyTests", dependencies: ["GradVerify"]),
  ],
  swiftLanguageModes: [.v6]
)
