/// Union-find over the indexes `0..<count`: each set's root is its smallest index.
struct DisjointSets {
    private var parent: [Int]

    init(count: Int) { parent = Array(0..<count) }

    /// The set's root (its smallest index), with paths halved on the way.
    mutating func root(_ index: Int) -> Int {
        var index = index
        while parent[index] != index {
            parent[index] = parent[parent[index]]
            index = parent[index]
        }
        return index
    }

    /// Joins the sets of `a` and `b`.
    mutating func join(_ a: Int, _ b: Int) {
        let (left, right) = (root(a), root(b))
        parent[max(left, right)] = min(left, right)
    }
}
