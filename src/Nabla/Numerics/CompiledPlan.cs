using System.Numerics.Tensors;
using System.Text;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Printing;
using Nabla.LinearAlgebra;
using Tensor = Nabla.LinearAlgebra.Tensor;

namespace Nabla.Numerics;

/// <summary>
/// Expressions compiled for repeated evaluation on one backend. The plan is laid out for the sizes of the
/// first values it sees (and again only when they change): topological order, each common subexpression
/// once, transposes as BLAS flags, products ordered by flop count, fused passes over large matrices, all
/// buffers allocated up front. Then each call binds the inputs' arrays (no copy), runs the steps and copies
/// the results into the caller's buffers, allocating nothing of its own.
/// A plan owns its buffers, so one plan serves one thread at a time (compile one per thread to share work).
/// </summary>
public sealed class CompiledPlan
{
    private readonly Expr[] _roots;
    private readonly Var[] _vars;
    private readonly HashSet<string> _required;
    private readonly bool _fuse;
    private readonly Dictionary<Dim, int> _sizes = [];
    private Layout? _layout;

    private sealed record Layout(Step[] Steps, Slot[] Outputs, KeyValuePair<string, Slot>[] Inputs, Dictionary<Dim, int> Sizes);

    /// <summary>Compiles the given expressions (evaluated together, sharing their common subexpressions).</summary>
    /// <param name="roots">The expressions.</param>
    /// <param name="backend">The backend (managed when null).</param>
    /// <param name="fuse">Whether to fuse passes over large matrices (off only to measure what fusion gives).</param>
    /// <param name="variables">
    /// Further variables whose values fix sizes, e.g. those of the objective a gradient came from (a zero
    /// gradient reads no variable, yet its size is that of one).
    /// </param>
    public CompiledPlan(IReadOnlyList<Expr> roots, IBlas? backend = null, bool fuse = true, IEnumerable<Var>? variables = null)
    {
        if (roots.Count == 0) throw new ArgumentException("nothing to compile", nameof(roots));
        _roots = [.. roots];
        _vars = [.. roots.SelectMany(ExprQueries.Variables).Concat(variables ?? []).DistinctBy(v => v.Name)];
        _required = [.. roots.SelectMany(ExprQueries.Variables).Select(v => v.Name)];
        _fuse = fuse;
        Backend = backend ?? Blas.Managed;
    }

    /// <summary>The BLAS backend the plan's products and solves run on (managed unless another was given).</summary>
    public IBlas Backend { get; }
    /// <summary>The expressions the plan computes, in order.</summary>
    public IReadOnlyList<Expr> Roots => _roots;

    /// <summary>The variables the expressions read, each of which needs a value.</summary>
    public IReadOnlyList<Var> Variables => _vars;

    /// <summary>Evaluates the first expression into <paramref name="output"/> (its entries, row-major).</summary>
    public void Evaluate(IReadOnlyDictionary<string, Tensor> values, Span<double> output)
    {
        Enter();
        try
        {
            var l = Run(values);
            CopyOut(l, 0, output);
            Check(l, 1);
        }
        finally { Exit(); }
    }

    /// <summary>Evaluates the first two expressions (e.g. a loss and its gradient) into two buffers.</summary>
    public void Evaluate(IReadOnlyDictionary<string, Tensor> values, Span<double> output0, Span<double> output1)
    {
        Enter();
        try
        {
            var l = Run(values);
            CopyOut(l, 0, output0);
            CopyOut(l, 1, output1);
            Check(l, 2);
        }
        finally { Exit(); }
    }

    /// <summary>
    /// For a plan of a scalar objective and its gradient (<c>Objective.CompileWithGradient</c>): writes the
    /// gradient into <paramref name="gradient"/> and returns the objective's value.
    /// </summary>
    public double ValueAndGradient(IReadOnlyDictionary<string, Tensor> values, Span<double> gradient)
    {
        Enter();
        try
        {
            var l = Run(values);
            if (l.Outputs.Length < 2 || l.Outputs[0].Length != 1) throw new InvalidOperationException("the plan is not of a scalar objective and its gradient");
            Span<double> value = stackalloc double[1];
            CopyOut(l, 0, value);
            CopyOut(l, 1, gradient);
            Check(l, 2);
            return value[0];
        }
        finally { Exit(); }
    }

    /// <summary>Evaluates every expression into new tensors (allocates; for convenience and tests).</summary>
    public Tensor[] Evaluate(IReadOnlyDictionary<string, Tensor> values)
    {
        Enter();
        try
        {
            var l = Run(values);
            var results = new Tensor[l.Outputs.Length];
            for (int i = 0; i < results.Length; i++)
            {
                var o = l.Outputs[i];
                results[i] = new Tensor(o.Kind, o.Rows, o.Cols, new double[o.Length]);
                CopyOut(l, i, results[i].Data);
            }
            return results;
        }
        finally { Exit(); }
    }

    private int _busy;

    /// <summary>
    /// A plan holds one set of buffers: a second thread evaluating it at the same time would read the first's
    /// intermediates. That misuse is refused loudly rather
    /// than answered wrongly (one interlocked exchange a call); compile one plan per thread.
    /// </summary>
    private void Enter()
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            throw new InvalidOperationException(
                "this CompiledPlan is being evaluated on another thread: a plan holds one set of buffers, so compile one plan per thread");
    }

    private void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>The number of entries of each result for these values' sizes.</summary>
    public int[] OutputLengths(IReadOnlyDictionary<string, Tensor> values) => Prepare(values).Outputs.Select(o => o.Length).ToArray();

    /// <summary>The steps of the plan laid out for these values' sizes, one per line.</summary>
    public string Describe(IReadOnlyDictionary<string, Tensor> values)
    {
        var l = Prepare(values);
        var sb = new StringBuilder();
        sb.AppendLine($"backend {Backend.Name}, {l.Steps.Length} steps");
        foreach (var s in l.Steps.Where(s => s is not ConstantStep)) sb.AppendLine("  " + s);
        for (int i = 0; i < l.Outputs.Length; i++) sb.AppendLine($"  result {i}: {l.Outputs[i]} = {Clip(TextPrinter.Print(_roots[i]))}");
        return sb.ToString();
    }

    /// <summary>Checks that the results from the given index on (those not copied out) are finite.</summary>
    private void Check(Layout l, int from)
    {
        for (int i = from; i < l.Outputs.Length; i++)
            if (!TensorPrimitives.IsFiniteAll<double>(l.Outputs[i].Span)) throw NotFinite(i);
    }

    private NablaException NotFinite(int i) => new(ErrorCodes.DomainError,
        $"{Clip(TextPrinter.Print(_roots[i]))} is not finite at the given values (an overflow, a division by zero or a value outside a function's domain)");

    /// <summary>
    /// Copies result i out and checks that it is finite, chunk by chunk while the chunk is in cache (one pass
    /// over a large result instead of two).
    /// </summary>
    private void CopyOut(Layout l, int i, Span<double> output)
    {
        var s = l.Outputs[i];
        if (output.Length != s.Length)
            throw new ArgumentException($"the output buffer has {output.Length} entries; the result has {s.Length} ({s.Rows}x{s.Cols})");
        const int Chunk = 2048;
        var src = s.Span;
        for (int lo = 0; lo < src.Length; lo += Chunk)
        {
            var part = src.Slice(lo, Math.Min(Chunk, src.Length - lo));
            part.CopyTo(output[lo..]);
            if (!TensorPrimitives.IsFiniteAll<double>(part)) throw NotFinite(i);
        }
    }

    private Layout Run(IReadOnlyDictionary<string, Tensor> values)
    {
        foreach (var v in _vars)
            if (v.Symmetric && values.TryGetValue(v.Name, out var t)) Evaluator.CheckSymmetric(v, t);
        var l = Prepare(values);
        foreach (var s in l.Steps) s.Run();
        return l;
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..57] + "...";

    /// <summary>Reads the sizes off the values; lays the plan out again only if they changed; binds the inputs.</summary>
    private Layout Prepare(IReadOnlyDictionary<string, Tensor> values)
    {
        _sizes.Clear();
        foreach (var v in _vars)
        {
            if (!values.TryGetValue(v.Name, out var t))
            {
                if (!_required.Contains(v.Name)) continue;
                throw new NablaException(ErrorCodes.BadRequest, $"no value was given for {v.Name}");
            }
            if (v.Shape.Rows is { } r) Bind(r, t.Rows, v);
            else if (t.Rows != 1) throw Mismatch(v, t);
            if (v.Shape.Cols is { } c) Bind(c, t.Cols, v);
            else if (t.Cols != 1) throw Mismatch(v, t);
        }
        var layout = _layout;
        if (layout is null || !Same(layout.Sizes, _sizes)) _layout = layout = Build();
        foreach (var (name, slot) in layout.Inputs) slot.Data = values[name].Data;
        return layout;
    }

    private static NablaException Mismatch(Var v, Tensor t) =>
        new(ErrorCodes.ShapeError, $"{v.Name} is {v.Shape.Describe()}, but its value is {t.Rows}x{t.Cols}");

    private void Bind(Dim d, int size, Var v)
    {
        if (d.IsKnown && d.Size != size)
            throw new NablaException(ErrorCodes.ShapeError, $"{v.Name} is {v.Shape.Describe()}, but its value has size {size} where {d.Size} is expected");
        if (_sizes.TryGetValue(d, out int s) && s != size)
            throw new NablaException(ErrorCodes.ShapeError, $"the values disagree on the size {d}: {s} and {size} (at {v.Name})");
        _sizes[d] = size;
    }

    private static bool Same(Dictionary<Dim, int> a, Dictionary<Dim, int> b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (k, v) in a)
            if (!b.TryGetValue(k, out int w) || w != v) return false;
        return true;
    }

    private Layout Build()
    {
        var sizes = new Dictionary<Dim, int>(_sizes);
        int Size(Dim d) => d.IsKnown ? d.Size : sizes.TryGetValue(d, out int s) ? s
            : throw new NablaException(ErrorCodes.ShapeError, $"the size {d} is not fixed by any given value; give a value for a variable of that size");
        var b = new PlanBuilder(Backend, Size);
        var outputs = _roots.Select(b.Dense).ToArray();
        var steps = _fuse ? PlanFusion.Fuse(b.Steps, Backend.Threads) : b.Steps;
        foreach (var s in b.AllSlots) s.Allocate();
        foreach (var s in steps.OfType<ConstantStep>()) s.Initialise();
        return new Layout([.. steps], outputs, [.. b.Inputs], sizes);
    }
}
