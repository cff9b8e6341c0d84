using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Nabla.LinearAlgebra;
using Tensor = Nabla.LinearAlgebra.Tensor;

namespace Nabla.Numerics;

/// <summary>
/// Fusion of two matrix-vector products over the same stored matrix X, u = X·w and g = X'·r, into one pass
/// over row blocks of X: each block is read from memory once, and while it is in cache the pass computes
/// u on the block, then every row-local step that leads from u to r on the block, then adds the block's
/// share of X'·r. This is the logistic-gradient shape (r = f(X·w)) and the x'·A·x one (A·x + A'·x).
/// </summary>
internal static class PlanFusion
{
    private const long MinEntries = 1 << 15;

    public static List<Step> Fuse(List<Step> steps, int threads)
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int p2 = 0; p2 < steps.Count && !changed; p2++)
            {
                if (steps[p2] is not GemvStep second) continue;
                for (int p1 = p2 - 1; p1 >= 0 && !changed; p1--)
                {
                    if (steps[p1] is not GemvStep first || first.A != second.A || first.Trans == second.Trans) continue;
                    if ((long)first.A.Rows * first.A.Cols < MinEntries || first.A.Rows < 2) continue;
                    if (TryFuse(steps, p1, p2, threads) is { } fused) { steps = fused; changed = true; }
                }
            }
        }
        return steps;
    }

    private static List<Step>? TryFuse(List<Step> steps, int p1, int p2, int threads)
    {
        var first = (GemvStep)steps[p1];
        var second = (GemvStep)steps[p2];
        int m = first.A.Rows;
        var tainted = new HashSet<Slot>(first.Outputs);
        var inPass = new HashSet<Slot>(first.Outputs);
        List<Step> kept = [], deferred = [];
        List<MapStep> local = [];
        for (int p = p1 + 1; p < p2; p++)
        {
            var s = steps[p];
            if (!s.Inputs.Any(tainted.Contains)) { kept.Add(s); continue; }
            if (!first.Trans && s is MapStep ms && RowLocal(ms, m) && ms.Inputs.All(i => !tainted.Contains(i) || inPass.Contains(i)))
            {
                local.Add(ms);
                inPass.Add(ms.Out);
            }
            else deferred.Add(s);
            foreach (var o in s.Outputs) tainted.Add(o);
        }
        // The later product's inputs must be ready during the pass; its scalar factor is read after it.
        if (second.Inputs.Any(i => i != second.X && tainted.Contains(i))) return null;
        if (tainted.Contains(second.X) && !inPass.Contains(second.X)) return null;
        // X'·r first and X·w second: w must not come from X'·r (A*(A'*x)), which is only complete after the pass.
        if (first.Trans && (local.Count > 0 || tainted.Contains(second.X))) return null;
        var forward = first.Trans ? second : first;
        var backward = first.Trans ? first : second;
        var fused = new FusedRowPass(forward, local, backward, threads);
        return [.. steps.Take(p1), .. kept, fused, .. deferred, .. steps.Skip(p2 + 1)];
    }

    /// <summary>Entry i of the output depends only on entry i of m-vectors and on scalars.</summary>
    private static bool RowLocal(MapStep s, int m) =>
        s.Out.Length == m && (s.Out.Rows == 1 || s.Out.Cols == 1) && s.Inputs.All(i => i.Length == 1 || (i.Length == m && (i.Rows == 1 || i.Cols == 1)));
}

/// <summary>The fused pass: u = alpha·X·w, the row-local steps, g = beta·X'·r, over row blocks of X on all threads.</summary>
internal sealed unsafe class FusedRowPass : Step
{
    private readonly GemvStep _forward, _backward;
    private readonly MapStep[] _local;
    private readonly double[][] _partials;
    private readonly int _threads, _block;
    private readonly Action<int> _body;
    private double _alphaF;

    public FusedRowPass(GemvStep forward, List<MapStep> local, GemvStep backward, int threads) : base(backward.Out)
    {
        _forward = forward;
        _backward = backward;
        _local = [.. local];
        int m = forward.A.Rows, d = forward.A.Cols;
        _threads = Math.Max(1, Math.Min(threads, m / 64));
        _block = Math.Clamp(32768 / Math.Max(1, d), 8, 4096);
        _partials = Enumerable.Range(0, _threads).Select(_ => new double[d]).ToArray();
        _body = Range;
    }

    public override IEnumerable<Slot> Inputs =>
        _forward.Inputs.Concat(_local.SelectMany(s => s.Inputs)).Concat(_backward.Inputs).Except(Outputs).Distinct();

    public override IEnumerable<Slot> Outputs => _local.Select(s => s.Out).Prepend(_forward.Out).Append(_backward.Out);

    public override void Run()
    {
        _alphaF = _forward.Alpha.Value();
        if (_threads == 1) Range(0);
        else WorkerTeam.Shared.Run(_threads, _body);
        var g = _backward.Out.Span;
        var p0 = _partials[0].AsSpan();
        for (int t = 1; t < _threads; t++) TensorPrimitives.Add(p0, _partials[t], p0);
        TensorPrimitives.Multiply(p0, _backward.Alpha.Value(), g);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Range(int t)
    {
        var x = _forward.A;
        int m = x.Rows, d = x.Cols;
        int lo = (int)((long)m * t / _threads), hi = (int)((long)m * (t + 1) / _threads);
        var acc = _partials[t];
        Array.Clear(acc);
        fixed (double* px = x.Data, pw = _forward.X.Data, pu = _forward.Out.Data, pacc = acc)
        {
            for (int b0 = lo; b0 < hi; b0 += _block)
            {
                int b1 = Math.Min(hi, b0 + _block);
                Forward(px, pw, pu, b0, b1, d, _alphaF);
                foreach (var s in _local) s.RunRange(b0, b1);
                fixed (double* pr = _backward.X.Data) Backward(px, pr, pacc, b0, b1, d);
            }
        }
    }

    /// <summary>u[i] = alpha·X[i,:]·w for rows b0..b1, four rows at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(double* x, double* w, double* u, int b0, int b1, int d, double alpha)
    {
        int i = b0;
        for (; i + 4 <= b1; i += 4)
        {
            double* r0 = x + (long)i * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d;
            Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
            int j = 0;
            for (; j + 4 <= d; j += 4)
            {
                var wv = Vector256.Load(w + j);
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(r0 + j), wv, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Load(r1 + j), wv, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.Load(r2 + j), wv, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.Load(r3 + j), wv, a3);
            }
            double s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
            for (; j < d; j++) { s0 += r0[j] * w[j]; s1 += r1[j] * w[j]; s2 += r2[j] * w[j]; s3 += r3[j] * w[j]; }
            u[i] = alpha * s0; u[i + 1] = alpha * s1; u[i + 2] = alpha * s2; u[i + 3] = alpha * s3;
        }
        for (; i < b1; i++)
            u[i] = alpha * TensorPrimitives.Dot(new ReadOnlySpan<double>(x + (long)i * d, d), new ReadOnlySpan<double>(w, d));
    }

    /// <summary>acc += X[b0:b1,:]'·r[b0:b1], four rows at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Backward(double* x, double* r, double* acc, int b0, int b1, int d)
    {
        int i = b0;
        for (; i + 4 <= b1; i += 4)
        {
            double* r0 = x + (long)i * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d;
            var c0 = Vector256.Create(r[i]); var c1 = Vector256.Create(r[i + 1]);
            var c2 = Vector256.Create(r[i + 2]); var c3 = Vector256.Create(r[i + 3]);
            int j = 0;
            for (; j + 4 <= d; j += 4)
            {
                var a = Vector256.Load(acc + j);
                a = Vector256.FusedMultiplyAdd(Vector256.Load(r0 + j), c0, a);
                a = Vector256.FusedMultiplyAdd(Vector256.Load(r1 + j), c1, a);
                a = Vector256.FusedMultiplyAdd(Vector256.Load(r2 + j), c2, a);
                a = Vector256.FusedMultiplyAdd(Vector256.Load(r3 + j), c3, a);
                a.Store(acc + j);
            }
            for (; j < d; j++) acc[j] += r0[j] * r[i] + r1[j] * r[i + 1] + r2[j] * r[i + 2] + r3[j] * r[i + 3];
        }
        for (; i < b1; i++)
            for (int j = 0; j < d; j++) acc[j] += x[(long)i * d + j] * r[i];
    }

    public override string Describe() =>
        $"fused pass over rows of {_forward.A}: {_forward.Out} = {_forward.Describe()}; " +
        string.Concat(_local.Select(s => $"{s.Out} = {s.Describe()}; ")) + $"{_backward.Out} = {_backward.Describe()}";
}
