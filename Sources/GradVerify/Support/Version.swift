/// The harness's version, written into provenance and `--version`.
public enum GradVerifyVersion {
  public static let current = "0.2.0"
}
