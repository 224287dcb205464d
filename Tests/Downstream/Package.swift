// swift-tools-version: 6.0
// A package that uses gradverify as a library, as a project of your own would: it depends on GradVerify by
// path, implements its own model with the public API (`ArrayModel`, no pointers) and checks claims C1, C2
// and C3 on it (`LinearityCheck`, `MiniBatchCheck`).
// `make test` builds it and runs its tests.
import PackageDescription

let package = Package(
  name: "downstream",
  platforms: [.macOS(.v15)],
  dependencies: [.package(name: "gradverify", path: "../..")],
  targets: [
    .target(name: "PseudoHuber", dependencies: [.product(name: "GradVerify", package: "gradverify")]),
    .testTarget(
      name: "PseudoHuberTests",
      dependencies: ["PseudoHuber", .product(name: "GradVerify", package: "gradverify")]),
  ],
  swiftLanguageModes: [.v6]
)
