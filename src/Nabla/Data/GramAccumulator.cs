using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Data;

/// <summary>
/// One pass over the rows of a tall-skinny design: accumulates Z'Z for Z = [1, X - s, y - s_y]
/// (a syrk of the augmented matrix, upper triangle only), so X'X, X'y, y'y, the column sums and n
/// all come from the same kernel. The shift s (the first row seen) removes most of the cancellation
/// that raw sums of squares suffer when the means are large compared with the spread.
/// </summary>
/// <remarks>
/// Mirrors BLAS dsyrk on each row block of 128 rows: the block is copied, shifted, into a 64-byte aligned buffer
/// of rows padded to a multiple of 8 columns (y is one more column, so X'y comes out of the same kernel), then the
/// upper triangle is computed from the diagonal on in 8×16 tiles with a Vector512 FMA micro-kernel (8×8 for a last
/// odd panel; 4×8 tiles with Vector256 where there is no AVX-512, a plain loop where there is no SIMD; see
/// <see cref="GramKernels"/>). Blocks run in parallel, each worker with its own accumulator, merged at the end.
/// Memory is O(d²), independent of the rows.
/// </remarks>
public sealed class GramAccumulator
{
    private const int BlockRows = 128;

    /// <summary>For tests: 0 picks the widest kernel the CPU has, 256 forces AVX2, 1 the scalar loop.</summary>
    internal static int Kernel { get; set; }
    private const int W = 8;      // panel width: 8 columns, one Vector512 or two Vector256 per row
    private readonly int _d;      // features
    private readonly int _mPad;   // augmented width d + 2 (features, the ones column, y), rounded up to a multiple of 8
    private readonly double[] _g; // _mPad × _mPad, upper triangle accumulated
    private readonly object _lock = new();
    private double[]? _shift;     // d + 1 entries: the features' shift, then y's
    private bool _weighted;       // rows came with weights: the ones column's sum is Σ w

    /// <summary>An empty accumulator for rows of <paramref name="features"/> features and a target.</summary>
    public GramAccumulator(int features)
    {
        if (features < 0) throw new ArgumentOutOfRangeException(nameof(features));
        _d = features;
        _mPad = (features + 2 + W - 1) / W * W;
        _g = new double[_mPad * _mPad];
    }

    /// <summary>The number of features per row.</summary>
    public int Features => _d;

    /// <summary>
    /// X'·diag(w)·X for the row-major n×p <paramref name="x"/> and weights w ≥ 0 (a GLM's Hessian), on this class's
    /// kernels: rows scaled by √w in blocks, accumulated without a shift. False (and nothing written) if a weight is
    /// negative or not finite.
    /// </summary>
    internal static bool WeightedGram(double[] x, int n, int p, double[] w, double[] result)
    {
        foreach (var v in w) if (!(v >= 0) || double.IsInfinity(v)) return false;
        // No shift (the Hessian is uncentred), y a column of zeros: the packed rows are scaled by √w inside the
        // parallel row blocks, so X is read once and never copied.
        var acc = new GramAccumulator(p) { _shift = new double[(p + 2 + W - 1) / W * W] };
        acc.Add(x, new double[n], n, w);
        for (int i = 0; i < p; i++)
            for (int j = i; j < p; j++) result[i * p + j] = result[j * p + i] = acc._g[i * acc._mPad + j];
        return true;
    }

    /// <summary>Rows accumulated so far.</summary>
    public long Rows { get; private set; }

    /// <summary>The shift subtracted from each row (features then y); zeros before the first row.</summary>
    public ReadOnlySpan<double> Shift => _shift ?? new double[_d + 1];

    /// <summary>Adds <paramref name="rows"/> rows of the row-major <paramref name="x"/> (rows × d) with targets <paramref name="y"/>.</summary>
    public void Add(double[] x, double[] y, int rows) => Add(x, y, rows, null);

    /// <summary>
    /// Adds rows with weights w &gt; 0 (weighted least squares): each augmented row is scaled by √w, so the sums are
    /// Σ w, Σ w·x, Σ w·x·x' — and <see cref="Result"/> gives the weighted means and centred cross-products.
    /// </summary>
    public void Add(double[] x, double[] y, int rows, double[]? weights)
    {
        if (rows == 0) return;
        if (x.Length < (long)rows * _d || y.Length < rows) throw new ArgumentException("x or y is shorter than rows × d");
        if (weights is not null)
        {
            if (Rows > 0 && !_weighted) throw new InvalidOperationException("rows with weights after rows without");
            if (weights.Length < rows) throw new ArgumentException("fewer weights than rows");
            _weighted = true;
        }
        else if (_weighted) throw new InvalidOperationException("rows without weights after rows with");
        if (_shift is null)
        {
            var s = new double[_mPad];
            Array.Copy(x, s, _d);
            s[_d] = y[0];
            _shift = s;
        }
        int blocks = (rows + BlockRows - 1) / BlockRows;
        var shift = _shift;
        if (blocks == 1 || (long)rows * _mPad * _mPad < 1 << 20)
        {
            var st = NewState();
            for (int b = 0; b < blocks; b++) Block(x, y, rows, b, shift, st, weights);
            Merge(st.Acc);
        }
        else
        {
            Parallel.For(0, blocks,
                NewState,
                (b, _, st) => { Block(x, y, rows, b, shift, st, weights); return st; },
                st => Merge(st.Acc));
        }
        Rows += rows;
    }

    /// <summary>A worker's packing buffer and accumulator, both 64-byte aligned.</summary>
    private sealed record State((double[] Array, int Offset) Pack, (double[] Array, int Offset) Acc);

    private State NewState() => new(GramKernels.Aligned(BlockRows * GramKernels.RowStride(_mPad)), GramKernels.Aligned(_mPad * _mPad));

    private void Merge((double[] Array, int Offset) local)
    {
        lock (_lock)
            for (int i = 0; i < _g.Length; i++) _g[i] += local.Array[local.Offset + i];
    }

    /// <summary>
    /// Packs rows [b·128, …) as z = [x - s, 1, y - s_y, 0…], row-major with 8-column panels side by side, and
    /// accumulates the upper-triangle tiles with the widest kernel the CPU has (or the one <see cref="Kernel"/> forces).
    /// </summary>
    private void Block(double[] x, double[] y, int rows, int b, double[] shift, State st, double[]? weights = null)
    {
        int r0 = b * BlockRows, kb = Math.Min(BlockRows, rows - r0);
        int panels = _mPad / W, d = _d;
        var pack = st.Pack.Array.AsSpan(st.Pack.Offset);
        var acc = st.Acc.Array.AsSpan(st.Acc.Offset, _mPad * _mPad);
        int simd = Kernel == 0 && Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? 512
            : Kernel is 0 or 256 && Fma.IsSupported && Vector256.IsHardwareAccelerated ? 256 : 1;
        int rs = GramKernels.RowStride(_mPad), ps = W; // packed row-major: row i of panel p starts at i·rs + p·8
        GramKernels.Pack(x.AsSpan(r0 * d, kb * d), y.AsSpan(r0, kb), shift, d, kb, rs, pack, simd);
        if (weights is not null)
            for (int i = 0; i < kb; i++)
            {
                double sw = Math.Sqrt(weights[r0 + i]);
                foreach (ref double v in pack.Slice(i * rs, _mPad)) v *= sw;
            }
        if (simd == 512) GramKernels.Tiles512(pack, kb, rs, ps, panels, acc, _mPad);
        else if (simd == 256) GramKernels.Tiles256(pack, kb, rs, ps, panels, acc, _mPad);
        else GramKernels.TilesScalar(pack, kb, rs, ps, acc, _mPad);
    }

    /// <summary>
    /// The accumulated sums: n, the means of the features and of y, and the centred cross-products
    /// C = Σ (z - z̄)(z - z̄)' of z = [x, y].
    /// </summary>
    public GramSums Result()
    {
        long n = Rows;
        int d = _d, one = d;
        // augmented index of z_j: features 0..d-1, y at d + 1 (the ones column sits at d)
        int Z(int j) => j < d ? j : d + 1;
        double G(int i, int j) => i <= j ? _g[i * _mPad + j] : _g[j * _mPad + i];
        var s = Shift.ToArray();
        double total = _weighted ? G(one, one) : n; // Σ w, or n
        var ms = new double[d + 1]; // shifted means Σ w (z - s) / Σ w; the true means add s back
        for (int j = 0; j < d + 1; j++) ms[j] = n == 0 ? 0 : G(one, Z(j)) / total;
        var centred = new double[(d + 1) * (d + 1)];
        for (int i = 0; i < d + 1; i++)
            for (int j = i; j < d + 1; j++)
            {
                double v = G(Z(i), Z(j)) - total * ms[i] * ms[j];
                centred[i * (d + 1) + j] = v;
                centred[j * (d + 1) + i] = v;
            }
        var means = new double[d + 1];
        for (int j = 0; j < d + 1; j++) means[j] = s[j] + ms[j];
        return new GramSums(n, d, means, centred) { W = total };
    }
}

/// <summary>
/// Sufficient statistics of a least-squares problem: n, the means of the d features and y (last),
/// and the centred cross-product matrix of [X, y], (d+1)×(d+1) row-major.
/// </summary>
public sealed record GramSums(long N, int D, double[] Means, double[] Centred)
{
    /// <summary>The total weight: n, or Σ w for weighted rows (the means and cross-products are then weighted).</summary>
    public double W { get; init; } = N;

    /// <summary>Whether the rows came with weights (the total weight differs from n).</summary>
    public bool Weighted => W != N;

    /// <summary>Entry (<paramref name="i"/>, <paramref name="j"/>) of the centred cross-product matrix of [X, y].</summary>
    public double C(int i, int j) => Centred[i * (D + 1) + j];

    /// <summary>The Gram matrix of the design (with a leading ones column when <paramref name="intercept"/>) and its product with y.</summary>
    public (double[] G, double[] Xty, double Yty) Design(bool intercept)
    {
        int d = D, p = intercept ? d + 1 : d, o = intercept ? 1 : 0;
        var g = new double[p * p];
        var xty = new double[p];
        double yb = Means[d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++) g[(i + o) * p + j + o] = C(i, j) + W * Means[i] * Means[j];
            xty[i + o] = C(i, d) + W * Means[i] * yb;
        }
        if (intercept)
        {
            g[0] = W;
            for (int j = 0; j < d; j++) g[j + 1] = g[(j + 1) * p] = W * Means[j];
            xty[0] = W * yb;
        }
        return (g, xty, C(d, d) + W * yb * yb);
    }
}
