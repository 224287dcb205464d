import Foundation
import GradVerify
import Testing

@Suite("Data: CSV loading, labels, standardisation, synthetic generators")
struct DataTests {
  @Test("labels are indexed in sorted byte order; y = 1 is the second label")
  func labelOrder() throws {
    let table = try CSVTable.parse(Data("a,label\n1,zeta\n2,Alpha\n3,beta\n4,zeta\n".utf8), path: "t.csv")
    let data = try Dataset(table: table, target: .label)
    // Byte order: "Alpha" (0x41) < "beta" (0x62) < "zeta" (0x7A).
    #expect(data.classNames == ["Alpha", "beta", "zeta"])
    #expect(data.targets == [2, 0, 1, 2])
  }

  @Test("breast cancer: benign is class 0, malignant class 1; 569 rows, 30 features")
  func breastCancer() throws {
    let path = CommandRun.packageRoot.appendingPathComponent("Experiments/data/breast_cancer.csv").path
    let data = try Dataset.load(csv: path, target: .label)
    #expect(data.count == 569 && data.featureCount == 30)
    #expect(data.classNames == ["benign", "malignant"])
    #expect(data.targets[0] == 1)  // the first row is malignant
  }

  @Test("quoted fields and CRLF line ends")
  func quoting() throws {
    let table = try CSVTable.parse(Data("a,\"b,c\"\r\n1,\"x \"\"y\"\"\"\r\n".utf8), path: "q.csv")
    #expect(table.header == ["a", "b,c"])
    #expect(table.records[0].cells == ["1", "x \"y\""])
    #expect(table.records[0].line == 2)
  }

  @Test("standardisation: mean 0 and population sd 1; a constant column is centred to zeros and reported")
  func standardization() throws {
    // Column a: 1, 2, 3, 6 → mean 3, population variance (4 + 1 + 0 + 9)/4 = 3.5.
    let data = Dataset(
      name: "s", featureNames: ["a", "c"], features: [1, 7, 2, 7, 3, 7, 6, 7], targets: [0, 0, 0, 0], classNames: [])
    let s = data.standardized()
    let sd = 3.5.squareRoot()
    let expected = [-2 / sd, 0, -1 / sd, 0, 0, 0, 3 / sd, 0]
    for (got, want) in zip(s.features, expected) {
      #expect(Swift.abs(got - want) <= 4 * Double.ulpOfOne * Swift.abs(want), "got \(got), want \(want)")
    }
    #expect(s.standardization?.means == [3, 7])
    #expect(s.standardization?.constantColumns == ["c"])
    #expect(s.standardization?.summary.contains("standardized 1 of 2") == true)
    #expect(data.standardization == nil)
  }

  @Test("synthetic generators are reproducible from the seed and differ between seeds")
  func syntheticReproducible() {
    let a = Dataset.syntheticClusters(count: 30, features: 3, classes: 3, seed: 7)
    let b = Dataset.syntheticClusters(count: 30, features: 3, classes: 3, seed: 7)
    let c = Dataset.syntheticClusters(count: 30, features: 3, classes: 3, seed: 8)
    #expect(a.features == b.features && a.targets == b.targets)
    #expect(a.features != c.features)
    #expect(a.classNames == ["class0", "class1", "class2"])
    let r = Dataset.syntheticRegression(count: 10, features: 2, seed: 1)
    #expect(r.features == Dataset.syntheticRegression(count: 10, features: 2, seed: 1).features)
    #expect(r.classCount == 0)
  }

  @Test("cluster names sort in index order even with more than ten classes")
  func manyClassNames() {
    let data = Dataset.syntheticClusters(count: 12, features: 1, classes: 12, seed: 1)
    #expect(data.classNames == data.classNames.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    #expect(data.classNames.first == "class00" && data.classNames.last == "class11")
  }
}
