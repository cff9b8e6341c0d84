using System.Numerics.Tensors;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Ops;
using Nabla.LinearAlgebra;
using Tensor = Nabla.LinearAlgebra.Tensor;

namespace Nabla.Numerics;

/// <summary>An operand of a BLAS call: a stored slot and whether the call reads it transposed.</summary>
internal readonly record struct Operand(Slot Slot, bool Trans)
{
    public int Rows => Trans ? Slot.Cols : Slot.Rows;
    public int Cols => Trans ? Slot.Rows : Slot.Cols;
    public Operand Flip() => this with { Trans = !Trans };
    public override string ToString() => Trans ? Slot.Label + "'" : Slot.Label;
}

/// <summary>C = alpha·op(A)·op(B).</summary>
internal sealed class GemmStep(Slot output, IBlas blas, Alpha alpha, Operand a, Operand b) : Step(output)
{
    public override IEnumerable<Slot> Inputs => alpha.Inputs.Append(a.Slot).Append(b.Slot);
    public override void Run() =>
        blas.Gemm(a.Trans, b.Trans, a.Rows, b.Cols, a.Cols, alpha.Value(), a.Slot.Data, a.Slot.Cols, b.Slot.Data, b.Slot.Cols, 0, Out.Data, Out.Cols);
    public override string Describe() => $"gemm {alpha}{a}*{b}";
}

/// <summary>y = alpha·op(A)·x for a stored matrix A and a vector x: the step the fused passes are made of.</summary>
internal sealed class GemvStep(Slot output, IBlas blas, Alpha alpha, Slot a, bool trans, Slot x) : Step(output)
{
    public Slot A { get; } = a;
    public bool Trans { get; } = trans;
    public Slot X { get; } = x;
    public Alpha Alpha { get; } = alpha;
    public override IEnumerable<Slot> Inputs => Alpha.Inputs.Append(A).Append(X);
    public override void Run() => blas.Gemv(Trans, A.Rows, A.Cols, Alpha.Value(), A.Data, A.Cols, X.Data, 0, Out.Data);
    public override string Describe() => $"gemv {Alpha}{A}{(Trans ? "'" : "")}*{X}";
}

internal sealed class DotStep(Slot output, IBlas blas, Alpha alpha, Slot x, Slot y) : Step(output)
{
    public override IEnumerable<Slot> Inputs => alpha.Inputs.Append(x).Append(y);
    public override void Run() => Out.Data[0] = alpha.Value() * blas.Dot(x.Span, y.Span);
    public override string Describe() => $"dot {alpha}{x}·{y}";
}

/// <summary>Materialises a transposed matrix (only where a consumer cannot take a transpose flag).</summary>
internal sealed class TransposeStep(Slot output, Slot x) : Step(output)
{
    public override IEnumerable<Slot> Inputs => [x];
    public override void Run() => TransposeInto(x.Data, x.Rows, x.Cols, Out.Data);

    /// <summary>dst (cols×rows) = src' in 32×32 tiles.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void TransposeInto(ReadOnlySpan<double> src, int rows, int cols, Span<double> dst)
    {
        const int T = 32;
        for (int i0 = 0; i0 < rows; i0 += T)
            for (int j0 = 0; j0 < cols; j0 += T)
                for (int i = i0; i < Math.Min(rows, i0 + T); i++)
                    for (int j = j0; j < Math.Min(cols, j0 + T); j++) dst[j * rows + i] = src[i * cols + j];
    }

    public override string Describe() => $"transpose({x})";
}

/// <summary>Scalar reductions: sum, mean, tr, norm1, norm2.</summary>
internal sealed class ReduceStep(Slot output, string op, Slot x) : Step(output)
{
    public override IEnumerable<Slot> Inputs => [x];
    public override void Run()
    {
        var s = x.Span;
        Out.Data[0] = op switch
        {
            "sum" => TensorPrimitives.Sum(s),
            "mean" => s.Length == 0 ? double.NaN : TensorPrimitives.Sum(s) / s.Length,
            "norm1" => TensorPrimitives.SumOfMagnitudes(s),
            "norm2" => TensorPrimitives.Norm(s),
            _ => Trace(s, x.Rows),
        };
    }

    private static double Trace(ReadOnlySpan<double> s, int n)
    {
        double t = 0;
        for (int i = 0; i < n; i++) t += s[i * n + i];
        return t;
    }

    public override string Describe() => $"{op}({x})";
}

/// <summary>inv(op(A)): copy (transposing while copying when flagged), LU, then the inverse from the factors.</summary>
internal sealed class InverseStep(Slot output, IBlas blas, Operand a, string what) : Step(output)
{
    private readonly int[] _ipiv = new int[a.Slot.Rows];
    public override IEnumerable<Slot> Inputs => [a.Slot];
    public override void Run()
    {
        int n = a.Slot.Rows;
        if (a.Trans) TransposeStep.TransposeInto(a.Slot.Data, n, n, Out.Data);
        else a.Slot.Span.CopyTo(Out.Span);
        if (!blas.Getrf(n, Out.Span, _ipiv))
            throw new NablaException(ErrorCodes.DomainError, $"{what} is singular (or numerically singular) at the given values");
        blas.Getri(n, Out.Span, _ipiv);
    }
    public override string Describe() => $"inv({a}) by getrf+getri";
}

/// <summary>det or logdet through an LU factorisation of a scratch copy.</summary>
internal sealed class DeterminantStep(Slot output, IBlas blas, Slot a, bool log) : Step(output)
{
    private readonly int[] _ipiv = new int[a.Rows];
    private readonly double[] _lu = new double[a.Length];
    public override IEnumerable<Slot> Inputs => [a];
    public override void Run()
    {
        int n = a.Rows;
        a.Span.CopyTo(_lu);
        if (!blas.Getrf(n, _lu, _ipiv))
        {
            if (!log) { Out.Data[0] = 0; return; }
            throw new NablaException(ErrorCodes.DomainError, $"the argument of logdet is singular (or numerically singular) at the given values");
        }
        var (l, sign) = blas.LuDeterminant(n, _lu, _ipiv);
        if (log && sign <= 0) throw new NablaException(ErrorCodes.DomainError, "logdet of a matrix whose determinant is negative");
        Out.Data[0] = log ? l : sign * Math.Exp(l);
    }
    public override string Describe() => $"{(log ? "logdet" : "det")}({a}) by getrf";
}

/// <summary>A^k by repeated products (A^-k: the inverse first).</summary>
internal sealed class MatPowStep(Slot output, IBlas blas, Slot a, int k) : Step(output)
{
    private readonly double[] _base = new double[a.Length], _tmp = new double[a.Length];
    private readonly int[] _ipiv = new int[a.Rows];
    public override IEnumerable<Slot> Inputs => [a];
    public override void Run()
    {
        int n = a.Rows;
        a.Span.CopyTo(_base);
        if (k < 0)
        {
            if (!blas.Getrf(n, _base, _ipiv)) throw new NablaException(ErrorCodes.DomainError, "a matrix raised to a negative power is singular at the given values");
            blas.Getri(n, _base, _ipiv);
        }
        var o = Out.Span;
        o.Clear();
        for (int i = 0; i < n; i++) o[i * n + i] = 1;
        for (int p = 0; p < Math.Abs(k); p++)
        {
            blas.Gemm(false, false, n, n, n, 1, o, n, _base, n, 0, _tmp, n);
            _tmp.CopyTo(o);
        }
    }
    public override string Describe() => $"{a}^{k}";
}

/// <summary>Any other function, through the op table's own kernel (it allocates; used for the rare ops only).</summary>
internal sealed class KernelStep(Slot output, FunctionOp op, Slot x) : Step(output)
{
    public override IEnumerable<Slot> Inputs => [x];
    public override void Run() => op.Evaluate(new Tensor(x.Kind, x.Rows, x.Cols, x.Length == x.Data.Length ? x.Data : x.Span.ToArray())).Data.CopyTo(Out.Data, 0);
    public override string Describe() => $"{op.Name}({x}) (reference kernel)";
}

/// <summary>f(A) of a primary matrix function (expm, logm, sqrtm), or its Fréchet derivative L_f(A, E), through the plan's backend.</summary>
internal sealed class PrimaryFunctionStep(Slot output, IBlas blas, PrimaryMatrixFunction? f, FrechetDerivative? l, Slot a, Slot? e) : Step(output)
{
    public override IEnumerable<Slot> Inputs => e is null ? [a] : [a, e];

    private static Tensor Of(Slot s) => new(s.Kind, s.Rows, s.Cols, s.Span.ToArray());

    public override void Run()
    {
        var r = f is not null ? f.Evaluate(Of(a), blas) : l!.Evaluate(Of(a), Of(e!), blas);
        r.Data.CopyTo(Out.Data, 0);
    }

    public override string Describe() => f is not null ? $"{f.Name}({a})" : $"{l!.Name}({a}, {e})";
}

internal sealed class ConstantStep(Slot output, double[] values) : Step(output)
{
    public override IEnumerable<Slot> Inputs => [];
    public override void Run() { }
    public void Initialise() => values.CopyTo(Out.Data, 0);
    public override string Describe() => Out.Length == 1 ? values[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture) : $"constant[{Out.Rows}x{Out.Cols}]";
}
