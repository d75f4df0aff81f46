namespace ReferralNetwork.Tests.Dashboards.Disclosure;

/// <summary>One linear equality: Σ coefficient × x[variable] = rhs.</summary>
internal sealed record LinearEquality(int[] Variables, double[] Coefficients, double Rhs);

/// <summary>
/// The attacker's linear programme: the region { x : equalities hold, lower ≤ x ≤ upper } and, for a single
/// variable, its least and greatest value over it. A dense two-phase primal simplex: the systems in these tests
/// have at most a few hundred variables, and the coefficients are small integers. Dantzig's rule for speed,
/// falling back to Bland's rule when the objective stalls, so degenerate pivots cannot cycle. Every optimum is
/// checked against the original constraints before it is believed, so a numerical slip fails the test loudly
/// instead of making a leak look safe.
/// </summary>
internal sealed class LinearRegion
{
    private const double Eps = 1e-9;
    private const double CheckTolerance = 1e-6;

    private readonly int _n;
    private readonly double[] _lower;
    private readonly double[] _upper;
    private readonly IReadOnlyList<LinearEquality> _equalities;
    private readonly double[][] _t; // rows × (columns + 1), last column is the right-hand side
    private readonly int[] _basis;
    private readonly int _columns;
    private readonly int _firstArtificial;
    private int _live; // columns still updated by pivots: all in phase 1, the artificials dropped after it

    public LinearRegion(double[] lower, double[] upper, IReadOnlyList<LinearEquality> equalities)
    {
        _n = lower.Length;
        _lower = lower;
        _upper = upper;
        _equalities = equalities;

        // y = x − lower ≥ 0. A finite upper bound is a row y + s = upper − lower with its slack s as the first
        // basic variable; each equality gets an artificial variable that phase 1 drives to zero.
        var bounded = Enumerable.Range(0, _n).Where(j => !double.IsPositiveInfinity(upper[j])).ToArray();
        var rows = equalities.Count + bounded.Length;
        _firstArtificial = _n + bounded.Length;
        _columns = _firstArtificial + equalities.Count;
        _t = new double[rows][];
        _basis = new int[rows];
        for (var i = 0; i < equalities.Count; i++)
        {
            var row = new double[_columns + 1];
            var e = equalities[i];
            var rhs = e.Rhs;
            for (var k = 0; k < e.Variables.Length; k++)
            {
                row[e.Variables[k]] += e.Coefficients[k];
                rhs -= e.Coefficients[k] * lower[e.Variables[k]];
            }

            if (rhs < 0)
            {
                for (var j = 0; j < _columns; j++)
                {
                    row[j] = -row[j];
                }

                rhs = -rhs;
            }

            row[_firstArtificial + i] = 1;
            row[_columns] = rhs;
            _t[i] = row;
            _basis[i] = _firstArtificial + i;
        }

        for (var b = 0; b < bounded.Length; b++)
        {
            var j = bounded[b];
            if (upper[j] < lower[j])
            {
                throw new InvalidOperationException($"Variable {j} has an empty range.");
            }

            var row = new double[_columns + 1];
            row[j] = 1;
            row[_n + b] = 1;
            row[_columns] = upper[j] - lower[j];
            _t[equalities.Count + b] = row;
            _basis[equalities.Count + b] = _n + b;
        }

        _live = _columns;
        var phaseOne = new double[_columns];
        for (var j = _firstArtificial; j < _columns; j++)
        {
            phaseOne[j] = 1;
        }

        if (!Optimize(phaseOne, allowArtificials: true) || Objective(phaseOne) > CheckTolerance)
        {
            throw new InvalidOperationException("The published constraints admit no solution: the attacker model is wrong.");
        }

        // Pivot the artificials that are still basic (at zero) out; a row where that is impossible is redundant.
        for (var i = 0; i < _t.Length; i++)
        {
            if (_basis[i] < _firstArtificial)
            {
                continue;
            }

            for (var j = 0; j < _firstArtificial; j++)
            {
                if (Math.Abs(_t[i][j]) > 1e-7)
                {
                    Pivot(i, j);
                    break;
                }
            }
        }

        _live = _firstArtificial;
    }

    public int VariableCount => _n;

    /// <summary>Least and greatest value of x[j] over the region (±∞ when unbounded) and the points reaching them.</summary>
    public (double Min, double Max, double[] AtMin, double[]? AtMax) Range(int j)
    {
        var cost = new double[_columns];
        cost[j] = -1;
        double max;
        double[]? atMax = null;
        if (Optimize(cost, allowArtificials: false))
        {
            atMax = CheckedSolution();
            max = atMax[j];
        }
        else
        {
            max = double.PositiveInfinity;
        }

        cost[j] = 1;
        if (!Optimize(cost, allowArtificials: false))
        {
            throw new InvalidOperationException("Minimum of a variable bounded below cannot be unbounded.");
        }

        var atMin = CheckedSolution();
        return (atMin[j], max, atMin, atMax);
    }

    /// <summary>Minimizes cost · (columns); false when unbounded. Starts from, and leaves, a feasible basis.</summary>
    private bool Optimize(double[] cost, bool allowArtificials)
    {
        var reduced = new double[_columns];
        for (var j = 0; j < _live; j++)
        {
            var d = cost[j];
            for (var i = 0; i < _t.Length; i++)
            {
                d -= cost[_basis[i]] * _t[i][j];
            }

            reduced[j] = d;
        }

        var enterable = allowArtificials ? _columns : _firstArtificial;
        var best = Objective(cost);
        var stalled = 0;
        while (true)
        {
            var bland = stalled > 50;
            var enter = -1;
            for (var j = 0; j < enterable; j++)
            {
                if (reduced[j] < -Eps && (enter < 0 || (!bland && reduced[j] < reduced[enter])))
                {
                    enter = j;
                    if (bland)
                    {
                        break;
                    }
                }
            }

            if (enter < 0)
            {
                return true;
            }

            var leave = -1;
            var ratio = double.PositiveInfinity;
            for (var i = 0; i < _t.Length; i++)
            {
                var a = _t[i][enter];
                if (a <= Eps)
                {
                    continue;
                }

                var r = _t[i][_columns] / a;
                if (r < ratio - Eps || (r <= ratio + Eps && leave >= 0 && _basis[i] < _basis[leave]))
                {
                    ratio = r;
                    leave = i;
                }
            }

            if (leave < 0)
            {
                return false;
            }

            Pivot(leave, enter);
            var factor = reduced[enter];
            var pivotRow = _t[leave];
            for (var j = 0; j < _live; j++)
            {
                reduced[j] -= factor * pivotRow[j];
            }

            var now = Objective(cost);
            if (now < best - Eps)
            {
                best = now;
                stalled = 0;
            }
            else
            {
                stalled++;
            }
        }
    }

    private double Objective(double[] cost)
    {
        var z = 0.0;
        for (var i = 0; i < _t.Length; i++)
        {
            z += cost[_basis[i]] * _t[i][_columns];
        }

        return z;
    }

    private void Pivot(int row, int column)
    {
        var pivotRow = _t[row];
        var p = pivotRow[column];
        for (var j = 0; j < _live; j++)
        {
            pivotRow[j] /= p;
        }

        pivotRow[_columns] /= p;

        for (var i = 0; i < _t.Length; i++)
        {
            if (i == row)
            {
                continue;
            }

            var r = _t[i];
            var f = r[column];
            if (f == 0)
            {
                continue;
            }

            for (var j = 0; j < _live; j++)
            {
                r[j] -= f * pivotRow[j];
            }

            r[_columns] -= f * pivotRow[_columns];

            r[column] = 0;
            if (Math.Abs(r[_columns]) < 1e-11)
            {
                r[_columns] = 0; // rounding must not turn a degenerate zero into a negative value
            }
        }

        _basis[row] = column;
    }

    private double[] CheckedSolution()
    {
        var x = (double[])_lower.Clone();
        for (var i = 0; i < _t.Length; i++)
        {
            if (_basis[i] < _n)
            {
                x[_basis[i]] += _t[i][_columns];
            }
        }

        for (var j = 0; j < _n; j++)
        {
            if (x[j] < _lower[j] - CheckTolerance || x[j] > _upper[j] + CheckTolerance)
            {
                throw new InvalidOperationException($"Simplex returned x[{j}] = {x[j]} outside [{_lower[j]}, {_upper[j]}].");
            }
        }

        foreach (var e in _equalities)
        {
            var lhs = 0.0;
            for (var k = 0; k < e.Variables.Length; k++)
            {
                lhs += e.Coefficients[k] * x[e.Variables[k]];
            }

            if (Math.Abs(lhs - e.Rhs) > CheckTolerance * (1 + Math.Abs(e.Rhs)))
            {
                throw new InvalidOperationException($"Simplex returned a point that breaks an equality ({lhs} ≠ {e.Rhs}).");
            }
        }

        return x;
    }
}
