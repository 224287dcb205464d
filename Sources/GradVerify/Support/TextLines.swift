extension String {
  /// The text's lines, split at "\n" or "\r\n" (Swift reads "\r\n" as one Character), empty lines kept
  /// so that index + 1 is the line number.
  public var textLines: [Substring] {
    split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
  }
}
