using System.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Numerics.Bench;

/// <summary>
/// The table, timed with a Stopwatch (median of several runs after a warm-up), on data that
/// bench/peers.py builds bit for bit the same way (integer formulas, so no random generator is shared).
/// </summary>
public static class SideBySide
{
    public static void Run(string[] cases)
    {
        if (cases.Length == 0) cases = ["gemm", "logistic", "quadratic", "logdet"];
        var backends = new[] { Blas.Managed, Blas.Create(BlasBackend.Native) }.DistinctBy(b => b.Name).ToArray();
        foreach (var c in cases)
            switch (c)
            {
                case "gemm": Gemm(backends); break;
                case "logistic": Logistic(backends); break;
                case "quadratic": Quadratic(backends); break;
                case "logdet": Logdet(backends); break;
                case "expm": Expm(backends); break;
                default: throw new ArgumentException($"unknown case {c}");
            }
    }

    /// <summary>Entry (i, j) of a matrix with `cols` columns: ((i·cols + j)·7919 mod 1000)/500 − 1, exact in any language.</summary>
    public static double[] Data(long rows, long cols, long salt = 0)
    {
        var d = new double[rows * cols];
        Parallel.For(0, rows, i =>
        {
            for (long j = 0; j < cols; j++) d[i * cols + j] = ((i * cols + j + salt) * 7919 % 1000) / 500.0 - 1;
        });
        return d;
    }

    private static void Report(string what, string impl, List<double> ms, double flops)
    {
        ms.Sort();
        double med = ms[ms.Count / 2];
        string gf = flops > 0 ? (flops / med / 1e6).ToString("F1") : "-";
        Console.WriteLine($"{what}|{impl}|{med:F2}|{gf}");
    }

    // A training loop calls the same plan thousands of times: warm up past the JIT's tiers first.
    private static List<double> Time(int reps, Action body) => Timing.Time(reps, body, warmMs: 1500);

    private static void Gemm(IBlas[] backends)
    {
        const int n = 2000;
        var a = Data(n, n, 1); var b = Data(n, n, 2); var c = new double[n * n];
        foreach (var blas in backends)
            Report("GEMM 2000x2000", $"Nabla {blas.Name}", Time(7, () => blas.Gemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n)), 2.0 * n * n * n);
    }

    private static void Logistic(IBlas[] backends)
    {
        const int m = 1_000_000, d = 100;
        var x = new Tensor(ShapeKind.Matrix, m, d, Data(m, d, 3));
        var yd = Data(m, 1, 4);
        for (int i = 0; i < m; i++) yd[i] = yd[i] >= 0 ? 1 : -1;
        var w = Data(d, 1, 5);
        for (int i = 0; i < d; i++) w[i] *= 0.1;
        var values = new Dictionary<string, Tensor> { ["X"] = x, ["y"] = Tensor.Vector(yd), ["w"] = Tensor.Vector(w) };
        var loss = NablaMath.Parse("sum(softplus(-y.*(X*w)))");
        var g = new double[d];
        double value = 0;
        foreach (var blas in backends)
        {
            var plan = loss.CompileWithGradient("w", blas);
            Report("logistic loss+gradient 1e6x100", $"Nabla {blas.Name} (fused)", Time(7, () => value = plan.ValueAndGradient(values, g)), 0);
        }
        var unfused = new CompiledPlan([loss.Expression, loss.Gradient("w").Expression], Blas.Managed, fuse: false);
        Report("logistic loss+gradient 1e6x100", "Nabla managed (not fused)", Time(5, () => value = unfused.ValueAndGradient(values, g)), 0);
        Console.Error.WriteLine($"logistic: loss {value:R}, g[0] {g[0]:R}");
    }

    private static void Quadratic(IBlas[] backends)
    {
        const int n = 4000;
        var values = new Dictionary<string, Tensor> { ["A"] = new Tensor(ShapeKind.Matrix, n, n, Data(n, n, 6)), ["x"] = Tensor.Vector(Data(n, 1, 7)) };
        var grad = NablaMath.Parse("x'*A*x").Gradient("x");
        var g = new double[n];
        foreach (var blas in backends)
        {
            var plan = grad.Compile(blas);
            Report("gradient of x'*A*x, n=4000", $"Nabla {blas.Name}", Time(21, () => plan.Evaluate(values, g)), 4.0 * n * n);
        }
        Console.Error.WriteLine($"quadratic: g[0] {g[0]:R}");
    }

    private static void Logdet(IBlas[] backends)
    {
        const int n = 500;
        var xd = Data(n, n, 8);
        for (int i = 0; i < n; i++) xd[i * n + i] += n;
        var values = new Dictionary<string, Tensor> { ["X"] = new Tensor(ShapeKind.Matrix, n, n, xd) };
        var grad = NablaMath.Parse("logdet(X)").Gradient("X");
        var g = new double[n * n];
        foreach (var blas in backends)
        {
            var plan = grad.Compile(blas);
            Report("gradient of logdet(X), n=500", $"Nabla {blas.Name}", Time(21, () => plan.Evaluate(values, g)), 2.0 * n * n * n);
        }
        Console.Error.WriteLine($"logdet: g[0] {g[0]:R}");
    }

    /// <summary>expm(A) and L(A, E) at n = 500 with ‖A‖₁ ≈ 10 (a few squarings), and the gradient of tr(expm(A)*B) as a compiled plan.</summary>
    private static void Expm(IBlas[] backends)
    {
        const int n = 500;
        var ad = Data(n, n, 9);
        for (int i = 0; i < ad.Length; i++) ad[i] *= 20.0 / n;
        var a = new Tensor(ShapeKind.Matrix, n, n, ad);
        var e = new Tensor(ShapeKind.Matrix, n, n, Data(n, n, 10));
        double x00 = 0, l00 = 0;
        foreach (var blas in backends)
        {
            Report("expm(A), n=500", $"Nabla {blas.Name}", Time(11, () => x00 = MatrixExponential.Expm(a, blas)[0, 0]), 0);
            Report("expm_frechet(A, E), n=500", $"Nabla {blas.Name}", Time(11, () => l00 = MatrixExponential.ExpmFrechet(a, e, blas).Frechet[0, 0]), 0);
        }
        var values = new Dictionary<string, Tensor> { ["A"] = a, ["B"] = e };
        var grad = NablaMath.Parse("tr(expm(A)*B)").Gradient("A");
        var g = new double[n * n];
        foreach (var blas in backends)
        {
            var plan = grad.Compile(blas);
            Report("gradient of tr(expm(A)*B), n=500", $"Nabla {blas.Name} ({Nabla.Printing.TextPrinter.Print(grad.Expression)})", Time(11, () => plan.Evaluate(values, g)), 0);
        }
        Console.Error.WriteLine($"expm: X[0,0] {x00:R}, L[0,0] {l00:R}, g[0] {g[0]:R}");
    }
}
