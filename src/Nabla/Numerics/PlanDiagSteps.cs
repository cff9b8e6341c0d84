using System.Numerics.Tensors;
using Nabla.LinearAlgebra;
using Tensor = Nabla.LinearAlgebra.Tensor;

namespace Nabla.Numerics;

/// <summary>diag: a vector to its diagonal matrix (times alpha), or a square matrix to the vector of its diagonal.</summary>
internal sealed class DiagStep(Slot output, Slot x, Alpha? alpha = null) : Step(output)
{
    private readonly Alpha _alpha = alpha ?? Alpha.One;
    public override IEnumerable<Slot> Inputs => _alpha.Inputs.Append(x);
    public override void Run()
    {
        var o = Out.Span;
        var s = x.Span;
        if (Out.Rows == Out.Cols && Out.Length == s.Length * s.Length && (x.Rows == 1 || x.Cols == 1))
        {
            double a = _alpha.Value();
            int n = s.Length;
            o.Clear();
            for (int i = 0; i < n; i++) o[i * n + i] = a * s[i];
        }
        else
            for (int i = 0; i < o.Length; i++) o[i] = s[i * x.Cols + i];
    }
    public override string Describe() => $"diag({_alpha}{x})";
}

/// <summary>
/// alpha·diag(v)·op(M) (rows scaled) or alpha·op(M)·diag(v) (columns scaled): one pass over M, the
/// diagonal matrix never formed.
/// </summary>
internal sealed class DiagScaleStep(Slot output, Alpha alpha, Operand m, Slot v, bool rows) : Step(output)
{
    public override IEnumerable<Slot> Inputs => alpha.Inputs.Append(m.Slot).Append(v);
    public override void Run()
    {
        double a = alpha.Value();
        var src = m.Slot.Span;
        var o = Out.Span;
        var s = v.Span;
        int r = Out.Rows, c = Out.Cols, ld = m.Slot.Cols;
        if (!m.Trans)
        {
            for (int i = 0; i < r; i++)
            {
                var row = src.Slice(i * ld, c);
                var dst = o.Slice(i * c, c);
                if (rows) TensorPrimitives.Multiply(row, a * s[i], dst);
                else
                {
                    TensorPrimitives.Multiply(row, s, dst);
                    if (a != 1) TensorPrimitives.Multiply(dst, a, dst);
                }
            }
            return;
        }
        // op(M)[i, j] = M[j, i]: read M in tiles.
        const int T = 32;
        for (int i0 = 0; i0 < r; i0 += T)
            for (int j0 = 0; j0 < c; j0 += T)
                for (int i = i0; i < Math.Min(r, i0 + T); i++)
                    for (int j = j0; j < Math.Min(c, j0 + T); j++)
                        o[i * c + j] = a * s[rows ? i : j] * src[j * ld + i];
    }
    public override string Describe() => rows ? $"{alpha}diag({v})*{m} (rows scaled)" : $"{alpha}{m}*diag({v}) (columns scaled)";
}

/// <summary>
/// C = alpha·P'·diag(s)·P (or alpha·P'·P without s) for P = op(X), X stored: the scaled copy diag(s)·P is
/// made in X's layout (rows or columns of X scaled, on all threads), then only the lower triangle of C is
/// computed, one block row at a time with GEMM, and mirrored: C is symmetric.
/// </summary>
internal sealed class GramStep : Step
{
    private readonly IBlas _blas;
    private readonly Alpha _alpha;
    private readonly Operand _p;
    private readonly Slot? _s;
    private readonly double[] _scaled;
    private readonly Action<int> _scale;
    private int _threads;

    public GramStep(Slot output, IBlas blas, Alpha alpha, Operand p, Slot? s) : base(output)
    {
        (_blas, _alpha, _p, _s) = (blas, alpha, p, s);
        _scaled = s is null ? [] : new double[p.Slot.Length];
        _scale = ScaleRows;
    }

    public override IEnumerable<Slot> Inputs => _s is null ? _alpha.Inputs.Append(_p.Slot) : _alpha.Inputs.Append(_p.Slot).Append(_s);

    public override void Run()
    {
        var x = _p.Slot;
        ReadOnlySpan<double> t = x.Span;
        if (_s is not null)
        {
            _threads = x.Length >= 1 << 16 ? Math.Max(1, _blas.Threads) : 1;
            if (_threads == 1) ScaleRows(0);
            else WorkerTeam.Shared.Run(_threads, _scale);
            t = _scaled;
        }
        int m = _p.Rows, d = _p.Cols, ld = x.Cols;
        var c = Out.Span;
        int block = d <= 96 ? d : Math.Max(64, (d / 4 + 31) / 32 * 32);
        double a = _alpha.Value();
        for (int i0 = 0; i0 < d; i0 += block)
        {
            int i1 = Math.Min(d, i0 + block);
            // Rows i0..i1 of P' (columns of P), times the first i1 columns of diag(s)·P.
            var rows = x.Span[(_p.Trans ? i0 * ld : i0)..];
            _blas.Gemm(!_p.Trans, _p.Trans, i1 - i0, i1, m, a, rows, ld, t, ld, 0, c[(i0 * d)..], d);
        }
        for (int i = 0; i < d; i++)
            for (int j = i + 1; j < d; j++) c[i * d + j] = c[j * d + i];
    }

    /// <summary>The scaled copy, rows of X split over the threads: row r of X times s[r] (P = X), or times s element-wise (P = X').</summary>
    private void ScaleRows(int part)
    {
        var x = _p.Slot;
        int n = x.Rows, cols = x.Cols;
        int lo = (int)((long)n * part / _threads), hi = (int)((long)n * (part + 1) / _threads);
        var src = x.Data;
        var s = _s!.Data;
        for (int r = lo; r < hi; r++)
        {
            var row = src.AsSpan(r * cols, cols);
            var dst = _scaled.AsSpan(r * cols, cols);
            if (_p.Trans) TensorPrimitives.Multiply(row, s.AsSpan(0, cols), dst);
            else TensorPrimitives.Multiply(row, s[r], dst);
        }
    }

    public override string Describe() => $"gram {_alpha}{_p}'*{(_s is null ? "" : $"diag({_s})*")}{_p} (symmetric: lower blocks, mirrored)";
}

/// <summary>C = A + A' for a stored square A in one pass: tile pairs (I, J) and (J, I) read together, both written.</summary>
internal sealed class SymmetricSumStep : Step
{
    private const int T = 32;
    private readonly Slot _a;
    private readonly Action<int> _body;
    private readonly int _maxThreads;
    private int _threads;

    public SymmetricSumStep(Slot output, Slot a, int threads) : base(output)
    {
        _a = a;
        _maxThreads = Math.Max(1, threads);
        _body = Part;
    }

    public override IEnumerable<Slot> Inputs => [_a];

    public override void Run()
    {
        _threads = _a.Length >= 1 << 16 ? _maxThreads : 1;
        if (_threads == 1) Part(0);
        else WorkerTeam.Shared.Run(_threads, _body);
    }

    /// <summary>Tile rows part, part + threads, … (the triangle's rows shrink, so they are dealt out in turn).</summary>
    private void Part(int part)
    {
        int n = _a.Rows;
        var a = _a.Data;
        var o = Out.Data;
        for (int bi = part; bi * T < n; bi += _threads)
        {
            int i0 = bi * T, i1 = Math.Min(n, i0 + T);
            for (int j0 = i0; j0 < n; j0 += T)
            {
                int j1 = Math.Min(n, j0 + T);
                for (int i = i0; i < i1; i++)
                {
                    int ri = i * n;
                    for (int j = Math.Max(j0, i); j < j1; j++)
                    {
                        double v = a[ri + j] + a[j * n + i];
                        o[ri + j] = v;
                        o[j * n + i] = v;
                    }
                }
            }
        }
    }

    public override string Describe() => $"{_a} + {_a}' (one pass, tile pairs)";
}
