namespace ReferralNetwork.Dashboards.Disclosure;

/// <summary>
/// Chooses which cells of a family to suppress. A family is the product of a few hierarchies (rows, columns,
/// countries, periods): every combination of one node per dimension is a published cell.
/// <para>
/// The rule, and why it is safe: every suppressed cell gets a <em>witness</em>, a second table family that is
/// whole numbers, never negative, shows exactly the same published numbers and the same "&lt;T" / "≥T" marks,
/// and differs from the true one in that cell. Whatever an attacker combines (margins, grand totals, sub-periods,
/// per-country tables, linear programming, integer reasoning), both families explain what was published, so
/// the cell cannot be pinned to one value. The witnesses are built as hypercubes: one change per dimension
/// (<see cref="LineChange"/>: +1 on a leaf and its totals, or +1 on one leaf and −1 on another), multiplied
/// together. The product moves only the cells in the product of the moved nodes, each by ±1, and leaves every
/// other cell of every table in the family untouched; all the moved cells are suppressed. A witness is valid
/// when it moves no published zero and no cell an earlier release published, and, in one of the two
/// directions, every moved cell stays inside what its mark says (1..T−1 for "&lt;T", ≥ T for "≥T", ≥ 0 for a
/// withheld cell). A cell whose mark the move would break may be withheld instead, at a price.
/// </para>
/// <para>
/// Suppressing or withholding more never invalidates a witness already chosen (its cells stay hidden, the
/// bounds only get looser, its untouched cells stay equal), and every cell a witness moves is protected by that
/// same witness, so the greedy pass below gives each suppressed cell, primary or secondary, a witness. Among
/// the valid witnesses for a cell it picks the one whose newly hidden cells cost least: cells already
/// suppressed are free, a cell costs more the larger its count and the coarser it is, so totals and years stay
/// published where possible.
/// </para>
/// </summary>
internal sealed class SuppressionEngine
{
    private readonly Hierarchy[] _dims;
    private readonly int[] _stride;
    private readonly int[] _values;
    private readonly int _threshold;
    private readonly bool[] _suppressed;
    private readonly bool[] _covered;
    private readonly bool[] _withheld;
    private readonly bool[] _withheldByCaller;
    private readonly bool[] _frozen;
    private readonly bool[] _kept;
    private bool _aggregated;
    private readonly double[] _cost;

    // Search state of one witness evaluation, kept in fields so the recursion does not allocate.
    private readonly int[] _choice;
    private LineChange[][] _options = [];
    private double _upCost;
    private double _downCost;
    private double _budget;

    public SuppressionEngine(Hierarchy[] dims, int threshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 2);
        _dims = dims;
        _threshold = threshold;
        _stride = new int[dims.Length];
        var size = 1;
        for (var k = dims.Length - 1; k >= 0; k--)
        {
            _stride[k] = size;
            size = checked(size * dims[k].NodeCount);
        }

        _values = new int[size];
        _suppressed = new bool[size];
        _covered = new bool[size];
        _withheld = new bool[size];
        _withheldByCaller = new bool[size];
        _frozen = new bool[size];
        _kept = new bool[size];
        _cost = new double[size];
        _choice = new int[dims.Length];
    }

    public int CellCount => _values.Length;

    /// <summary>The cell no witness was found for, when <see cref="Run"/> failed.</summary>
    public int? Unprotected { get; private set; }

    public int Index(ReadOnlySpan<int> nodes)
    {
        var index = 0;
        for (var k = 0; k < _dims.Length; k++)
        {
            index += nodes[k] * _stride[k];
        }

        return index;
    }

    public int Node(int index, int dimension) => index / _stride[dimension] % _dims[dimension].NodeCount;

    /// <summary>Sets the count of a cell made only of leaves; totals are summed in <see cref="Run"/>.</summary>
    public void SetLeafCount(ReadOnlySpan<int> leafNodes, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_aggregated)
        {
            throw new InvalidOperationException("Counts are already summed.");
        }

        _values[Index(leafNodes)] = count;
    }

    public int Count(int index)
    {
        EnsureAggregated();
        return _values[index];
    }

    public bool IsSuppressed(int index) => _suppressed[index];

    public bool IsWithheld(int index) => _withheld[index];

    /// <summary>
    /// Leaves a cell out of the publication altogether. The attacker then knows only that it is a count (≥ 0),
    /// so witnesses may move it freely, zero or not; this is the fallback when a cell has no witness.
    /// </summary>
    public void Withhold(int index) => _withheldByCaller[index] = true;

    /// <summary>A cell an earlier release published: the attacker knows it, so no witness may move it.</summary>
    public void Freeze(int index) => _frozen[index] = true;

    /// <summary>A cell an earlier release suppressed: it stays suppressed with the same mark and needs a witness.</summary>
    public void Keep(int index) => _kept[index] = true;

    /// <summary>Sums the totals and chooses the suppression; false when some cell has no witness at all.</summary>
    public bool Run()
    {
        EnsureAggregated();
        Array.Clear(_suppressed);
        Array.Clear(_covered);
        _withheldByCaller.CopyTo(_withheld, 0);
        Unprotected = null;
        for (var i = 0; i < _values.Length; i++)
        {
            var coarseness = 1.0;
            for (var k = 0; k < _dims.Length; k++)
            {
                coarseness *= 1 + _dims[k].Height[Node(i, k)];
            }

            _cost[i] = (1 + _values[i]) * coarseness;
        }

        // Primary suppression: every small non-zero count.
        var targets = new List<int>();
        for (var i = 0; i < _values.Length; i++)
        {
            if (_kept[i] || (_values[i] > 0 && _values[i] < _threshold))
            {
                // A withheld small count is still a small count: it needs a witness like any other.
                _suppressed[i] = !_withheld[i];
                targets.Add(i);
            }
        }

        // Coarse small cells first: their witnesses reach down through the finer cells below them and usually
        // cover those too, so fewer searches are needed and fewer extra cells suppressed.
        targets.Sort((a, b) =>
        {
            var byCoarseness = Coarseness(b).CompareTo(Coarseness(a));
            return byCoarseness != 0 ? byCoarseness : _values[a].CompareTo(_values[b]);
        });

        foreach (var target in targets)
        {
            if (_covered[target])
            {
                continue;
            }

            if (!Protect(target))
            {
                Unprotected = target;
                return false;
            }
        }

        return true;
    }

    private int Coarseness(int index)
    {
        var sum = 0;
        for (var k = 0; k < _dims.Length; k++)
        {
            sum += _dims[k].Height[Node(index, k)];
        }

        return sum;
    }

    private void EnsureAggregated()
    {
        if (!_aggregated)
        {
            Aggregate();
            _aggregated = true;
        }
    }

    private void Aggregate()
    {
        for (var k = 0; k < _dims.Length; k++)
        {
            var dim = _dims[k];
            foreach (var node in dim.BottomUp)
            {
                var parent = dim.Parent[node];
                if (parent < 0)
                {
                    continue;
                }

                var shift = (parent - node) * _stride[k];
                for (var i = 0; i < _values.Length; i++)
                {
                    if (Node(i, k) == node)
                    {
                        _values[i + shift] += _values[i];
                    }
                }
            }
        }
    }

    private bool Protect(int target)
    {
        _options = new LineChange[_dims.Length][];
        var combinations = 1L;
        for (var k = 0; k < _dims.Length; k++)
        {
            _options[k] = _dims[k].Options[Node(target, k)];
            combinations *= _options[k].Length;
        }

        var best = double.PositiveInfinity;
        int[]? bestChoice = null;
        var bestDirection = 0;
        Array.Clear(_choice);
        for (var n = 0L; n < combinations; n++)
        {
            _upCost = 0;
            _downCost = 0;
            _budget = best;
            if (Walk(0, 0, 1))
            {
                var (cost, direction) = _upCost <= _downCost ? (_upCost, 1) : (_downCost, -1);
                if (cost < best)
                {
                    best = cost;
                    bestDirection = direction;
                    bestChoice = (int[])_choice.Clone();
                    if (best == 0)
                    {
                        break;
                    }
                }
            }

            for (var k = _dims.Length - 1; k >= 0; k--)
            {
                if (++_choice[k] < _options[k].Length)
                {
                    break;
                }

                _choice[k] = 0;
            }
        }

        if (bestChoice is null)
        {
            return false;
        }

        bestChoice.CopyTo(_choice, 0);
        Mark(0, 0, bestDirection);
        return true;
    }

    /// <summary>Visits every cell the chosen product of changes moves; false as soon as it is invalid or too dear.</summary>
    private bool Walk(int k, int index, int sign)
    {
        if (k == _dims.Length)
        {
            return Visit(index, sign);
        }

        var change = _options[k][_choice[k]];
        for (var j = 0; j < change.Nodes.Length; j++)
        {
            if (!Walk(k + 1, index + (change.Nodes[j] * _stride[k]), sign * change.Signs[j]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Prices one moved cell in both directions of the witness. A cell whose mark the move would break ("&lt;T"
    /// at T−1 going up, "≥T" at T going down, 1 going down) can still be moved if it is withheld instead of
    /// marked, at a higher price: a withheld cell is only known to be a count.
    /// </summary>
    private bool Visit(int index, int sign)
    {
        var value = _values[index];
        if (_frozen[index])
        {
            return false;
        }

        if (_withheld[index])
        {
            _upCost = value + sign >= 0 ? _upCost : double.PositiveInfinity;
            _downCost = value - sign >= 0 ? _downCost : double.PositiveInfinity;
        }
        else if (value == 0)
        {
            return false; // zeros are always published, so a witness may not move one
        }
        else
        {
            // A cell already published with its mark cannot be withheld after the fact.
            var price = _suppressed[index] ? 0 : _cost[index];
            var withhold = _kept[index] ? double.PositiveInfinity : WithholdPrice(index);
            _upCost += StaysInMark(value, value + sign) ? price : price + withhold;
            _downCost += StaysInMark(value, value - sign) ? price : price + withhold;
        }

        return Math.Min(_upCost, _downCost) < _budget;
    }

    private double WithholdPrice(int index) => _cost[index] + 10;

    /// <summary>Whether a moved count still fits the mark the true count gets: "&lt;T" or "≥T".</summary>
    private bool StaysInMark(int value, int moved) =>
        value < _threshold ? moved >= 1 && moved < _threshold : moved >= _threshold;

    private void Mark(int k, int index, int sign)
    {
        if (k == _dims.Length)
        {
            _covered[index] = true;
            if (_withheld[index])
            {
                return;
            }

            if (StaysInMark(_values[index], _values[index] + sign))
            {
                _suppressed[index] = true;
            }
            else
            {
                _withheld[index] = true;
                _suppressed[index] = false;
            }

            return;
        }

        var change = _options[k][_choice[k]];
        for (var j = 0; j < change.Nodes.Length; j++)
        {
            Mark(k + 1, index + (change.Nodes[j] * _stride[k]), sign * change.Signs[j]);
        }
    }
}
