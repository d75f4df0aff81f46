namespace ReferralNetwork.Dashboards.Disclosure;

/// <summary>
/// One dimension of a family of tables as a tree: leaves are the finest categories (a row key, a country, a
/// month), inner nodes are the totals published over them (row total, all countries, quarter, year). Every
/// published cell of a family is one node from each dimension, and its count is the sum of the leaf cells below.
/// </summary>
internal sealed class Hierarchy
{
    private Hierarchy(int[] parent)
    {
        Parent = parent;
        var n = parent.Length;
        var hasChild = new bool[n];
        foreach (var p in parent)
        {
            if (p >= 0)
            {
                hasChild[p] = true;
            }
        }

        Leaves = [.. Enumerable.Range(0, n).Where(i => !hasChild[i])];
        Depth = new int[n];
        for (var i = 0; i < n; i++)
        {
            for (var p = parent[i]; p >= 0; p = parent[p])
            {
                Depth[i]++;
                if (Depth[i] > n)
                {
                    throw new ArgumentException("The parents do not form a tree.", nameof(parent));
                }
            }
        }

        Height = new int[n];
        BottomUp = [.. Enumerable.Range(0, n).OrderByDescending(i => Depth[i])];
        foreach (var i in BottomUp)
        {
            if (parent[i] >= 0)
            {
                Height[parent[i]] = Math.Max(Height[parent[i]], Height[i] + 1);
            }
        }

        Options = BuildOptions();
    }

    public int NodeCount => Parent.Length;

    /// <summary>The node each node is summed into; −1 for the root.</summary>
    public int[] Parent { get; }

    public int[] Leaves { get; }

    public int[] Depth { get; }

    /// <summary>0 for a leaf, 1 for a total over leaves, 2 for a total over totals (a year over quarters).</summary>
    public int[] Height { get; }

    /// <summary>Every node before its parent, so sums can be carried upwards in one pass.</summary>
    public int[] BottomUp { get; }

    /// <summary>
    /// For each node, the one-dimensional changes that move its total: add one to a leaf (which moves the leaf
    /// and every total above it) or move one from a leaf to another (which moves only the nodes on the two
    /// paths below their common total). A family-wide change is a product of one such change per dimension.
    /// </summary>
    public LineChange[][] Options { get; }

    /// <summary>Leaves 0..n−1 and their total as node n.</summary>
    public static Hierarchy Flat(int leafCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(leafCount, 1);
        var parent = new int[leafCount + 1];
        Array.Fill(parent, leafCount);
        parent[leafCount] = -1;
        return new Hierarchy(parent);
    }

    public static Hierarchy FromParents(int[] parent) => new((int[])parent.Clone());

    private LineChange[][] BuildOptions()
    {
        var perNode = Enumerable.Range(0, NodeCount).Select(_ => new List<LineChange>()).ToArray();
        var vectors = new List<(int Leaf, int Other)>();
        for (var a = 0; a < Leaves.Length; a++)
        {
            vectors.Add((Leaves[a], -1));
            for (var b = a + 1; b < Leaves.Length; b++)
            {
                vectors.Add((Leaves[a], Leaves[b]));
            }
        }

        var moved = new int[NodeCount];
        foreach (var (leaf, other) in vectors)
        {
            Array.Clear(moved);
            moved[leaf] = 1;
            if (other >= 0)
            {
                moved[other] = -1;
            }

            foreach (var i in BottomUp)
            {
                if (Parent[i] >= 0)
                {
                    moved[Parent[i]] += moved[i];
                }
            }

            var nodes = Enumerable.Range(0, NodeCount).Where(i => moved[i] != 0).ToArray();
            var change = new LineChange(nodes, [.. nodes.Select(i => moved[i])]);
            foreach (var node in nodes)
            {
                perNode[node].Add(change);
            }
        }

        return [.. perNode.Select(l => l.ToArray())];
    }
}

/// <summary>The nodes of one dimension whose totals a change moves, and by how much (±1).</summary>
internal sealed record LineChange(int[] Nodes, int[] Signs);
