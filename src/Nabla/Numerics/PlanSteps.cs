using System.Numerics.Tensors;
using Nabla.Expressions;
using Nabla.Ops;
using Nabla.LinearAlgebra;
using Tensor = Nabla.LinearAlgebra.Tensor;

namespace Nabla.Numerics;

/// <summary>A value of a compiled plan: a preallocated buffer, an input's array (bound per call), or an alias of either.</summary>
internal sealed class Slot(int rows, int cols, ShapeKind kind, string label)
{
    private double[] _data = [];

    public int Rows { get; } = rows;
    public int Cols { get; } = cols;
    public ShapeKind Kind { get; } = kind;
    public string Label { get; } = label;
    public int Length => Rows * Cols;

    /// <summary>The variable whose value this is (bound at each call), or null.</summary>
    public string? Input { get; init; }

    /// <summary>Another slot with the same entries (a transposed vector), or null.</summary>
    public Slot? AliasOf { get; init; }

    public double[] Data { get => AliasOf?.Data ?? _data; set => _data = value; }
    public Span<double> Span => Data.AsSpan(0, Length);
    public double Scalar => Data[0];

    public void Allocate() { if (Input is null && AliasOf is null && _data.Length != Length) _data = new double[Length]; }

    public override string ToString() => Label;
}

/// <summary>A scalar factor: a constant times scalar values, over a scalar value (products, division by a scalar).</summary>
internal sealed class Alpha(double constant, Slot[] factors, Slot? divisor = null)
{
    public static readonly Alpha One = new(1, []);
    public double Constant { get; } = constant;
    public Slot[] Factors { get; } = factors;
    public Slot? Divisor { get; } = divisor;
    public bool IsOne => Constant == 1 && Factors.Length == 0 && Divisor is null;

    public double Value()
    {
        double a = Constant;
        foreach (var s in Factors) a *= s.Scalar;
        return Divisor is null ? a : a / Divisor.Scalar;
    }

    public IEnumerable<Slot> Inputs => Divisor is null ? Factors : Factors.Append(Divisor);

    public override string ToString() => IsOne ? "" : string.Join("*", new[] { Constant == 1 ? null : Constant.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) }
        .Concat(Factors.Select(f => f.Label)).Where(s => s is not null)) + (Divisor is null ? "" : "/" + Divisor.Label) + "·";
}

/// <summary>One instruction of a plan; it writes <see cref="Out"/> from its inputs.</summary>
internal abstract class Step(Slot output)
{
    public Slot Out { get; } = output;
    public abstract IEnumerable<Slot> Inputs { get; }

    /// <summary>Every slot the step writes (a fused step writes several).</summary>
    public virtual IEnumerable<Slot> Outputs => [Out];

    public abstract void Run();
    public abstract string Describe();
    public override string ToString() => $"{Out} = {Describe()}";
}

/// <summary>
/// A step that computes entry i of its output from entry i of its inputs (or from scalars): it can run on
/// any range of entries, which is what lets a fused pass compute it one row block at a time.
/// </summary>
internal abstract class MapStep(Slot output) : Step(output)
{
    public abstract void RunRange(int lo, int hi);
    public override void Run() => RunRange(0, Out.Length);

    protected static ReadOnlySpan<double> In(Slot s, int lo, int hi) => s.Data.AsSpan(lo, hi - lo);
    protected Span<double> Dst(int lo, int hi) => Out.Data.AsSpan(lo, hi - lo);
}

internal sealed class FillStep(Slot output, Slot value) : MapStep(output)
{
    public override IEnumerable<Slot> Inputs => [value];
    public override void RunRange(int lo, int hi) => Dst(lo, hi).Fill(value.Scalar);
    public override string Describe() => $"fill({value})";
}

internal sealed class ScaleStep(Slot output, Alpha alpha, Slot x) : MapStep(output)
{
    public override IEnumerable<Slot> Inputs => alpha.Inputs.Append(x);
    public override void RunRange(int lo, int hi)
    {
        if (x.Length == 1 && Out.Length == 1) { Out.Data[0] = alpha.Value() * x.Scalar; return; }
        TensorPrimitives.Multiply(In(x, lo, hi), alpha.Value(), Dst(lo, hi));
    }
    public override string Describe() => $"{alpha}{x}";
}

internal sealed class NegStep(Slot output, Slot x) : MapStep(output)
{
    public override IEnumerable<Slot> Inputs => [x];
    public override void RunRange(int lo, int hi) => TensorPrimitives.Negate(In(x, lo, hi), Dst(lo, hi));
    public override string Describe() => $"-{x}";
}

internal sealed class AddStep(Slot output, Slot[] terms) : MapStep(output)
{
    public override IEnumerable<Slot> Inputs => terms;
    public override void RunRange(int lo, int hi)
    {
        var d = Dst(lo, hi);
        TensorPrimitives.Add(In(terms[0], lo, hi), In(terms[1], lo, hi), d);
        for (int k = 2; k < terms.Length; k++) TensorPrimitives.Add(d, In(terms[k], lo, hi), d);
    }
    public override string Describe() => string.Join(" + ", terms.Select(t => t.Label));
}

internal sealed class ElementwiseStep(Slot output, ElementwiseOp op, Slot l, Slot r) : MapStep(output)
{
    public override IEnumerable<Slot> Inputs => [l, r];
    public override void RunRange(int lo, int hi)
    {
        var d = Dst(lo, hi);
        bool ls = l.Length == 1 && Out.Length > 1, rs = r.Length == 1 && Out.Length > 1;
        if (op == ElementwiseOp.Mul)
        {
            if (ls) TensorPrimitives.Multiply(In(r, lo, hi), l.Scalar, d);
            else if (rs) TensorPrimitives.Multiply(In(l, lo, hi), r.Scalar, d);
            else TensorPrimitives.Multiply(In(l, lo, hi), In(r, lo, hi), d);
        }
        else
        {
            if (ls) TensorPrimitives.Divide(l.Scalar, In(r, lo, hi), d);
            else if (rs) TensorPrimitives.Divide(In(l, lo, hi), r.Scalar, d);
            else TensorPrimitives.Divide(In(l, lo, hi), In(r, lo, hi), d);
        }
    }
    public override string Describe() => $"{l} {(op == ElementwiseOp.Mul ? ".*" : "./")} {r}";
}

internal sealed class PowerStep(Slot output, Slot x, Slot exponent) : MapStep(output)
{
    public override IEnumerable<Slot> Inputs => [x, exponent];
    public override void RunRange(int lo, int hi)
    {
        double k = exponent.Scalar;
        var s = In(x, lo, hi);
        var d = Dst(lo, hi);
        if (k == 2) TensorPrimitives.Multiply(s, s, d);
        else if (k == 1) s.CopyTo(d);
        else if (k == 0.5) TensorPrimitives.Sqrt(s, d);
        else if (k == -1) TensorPrimitives.Divide(1.0, s, d);
        else for (int i = 0; i < d.Length; i++) d[i] = Math.Pow(s[i], k);
    }
    public override string Describe() => $"{x}.^{exponent}";
}

/// <summary>An element-wise function, through TensorPrimitives where it has the function, else the op's own kernel.</summary>
internal sealed class FunctionStep(Slot output, ElementwiseFunction f, Slot x) : MapStep(output)
{
    public override IEnumerable<Slot> Inputs => [x];
    public override void RunRange(int lo, int hi)
    {
        var s = In(x, lo, hi);
        var d = Dst(lo, hi);
        switch (f.Name)
        {
            case "exp": TensorPrimitives.Exp(s, d); break;
            case "log": TensorPrimitives.Log(s, d); break;
            case "sin": TensorPrimitives.Sin(s, d); break;
            case "cos": TensorPrimitives.Cos(s, d); break;
            case "tan": TensorPrimitives.Tan(s, d); break;
            case "tanh": TensorPrimitives.Tanh(s, d); break;
            case "cosh": TensorPrimitives.Cosh(s, d); break;
            case "sinh": TensorPrimitives.Sinh(s, d); break;
            case "sqrt": TensorPrimitives.Sqrt(s, d); break;
            case "abs": TensorPrimitives.Abs(s, d); break;
            case "arcsin": TensorPrimitives.Asin(s, d); break;
            case "arccos": TensorPrimitives.Acos(s, d); break;
            case "arctan": TensorPrimitives.Atan(s, d); break;
            case "sigmoid": TensorPrimitives.Sigmoid(s, d); break;
            case "softplus": Softplus(s, d); break;
            default:
                var k = f.Kernel;
                for (int i = 0; i < d.Length; i++) d[i] = k(s[i]);
                break;
        }
    }

    /// <summary>softplus(z) = max(z, 0) + log(1 + exp(-|z|)), stable for large |z|.</summary>
    private static void Softplus(ReadOnlySpan<double> s, Span<double> d)
    {
        TensorPrimitives.Abs(s, d);
        TensorPrimitives.Negate(d, d);
        TensorPrimitives.Exp(d, d);
        TensorPrimitives.LogP1(d, d);
        for (int i = 0; i < d.Length; i++) if (s[i] > 0) d[i] += s[i];
    }

    public override string Describe() => $"{f.Name}({x})";
}
